// A throwaway PgBouncer in front of the run's PostgreSQL server (LETHE_TEST_ADMIN_URL), for tests of
// what the engine does behind a connection pooler. It is the system's `pgbouncer` binary (Debian
// package `pgbouncer`), run from a private folder with its own config, log and pid file, on a free
// loopback port; every database name is passed through to the same name on the server.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** What to tell when the binary is missing (tests then skip, and say so). */
export const PGBOUNCER_INSTALL_HINT = 'install the Debian package pgbouncer (apt-get install pgbouncer)';

/** Where Debian installs it; /usr/sbin is not on every PATH. */
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin'];

/** The pgbouncer binary's path, or undefined when it is not installed. */
export function pgbouncerPath(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  return dirs.map((dir) => join(dir, 'pgbouncer')).find((path) => existsSync(path));
}

export interface PgBouncerOptions {
  /** `transaction`: server sessions are handed out per transaction; `session`: one per client for life. */
  readonly poolMode: 'transaction' | 'session';
  /** Server connections per database and user (`default_pool_size`). Default 4. */
  readonly poolSize?: number;
}

export interface PgBouncer {
  readonly port: number;
  readonly poolMode: PgBouncerOptions['poolMode'];
  /** The URL of `databaseUrl`'s database (a URL on the run's server) through this PgBouncer. */
  urlOf(databaseUrl: string): string;
  /** PgBouncer's own log so far (for failure messages). */
  log(): string;
  /** SIGTERM (immediate shutdown), SIGKILL after 5 s; removes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts PgBouncer and waits until it accepts connections.
 * @throws when the binary is missing, LETHE_TEST_ADMIN_URL is unset, or it does not come up within 10 s.
 */
export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
  const binary = pgbouncerPath();
  if (binary === undefined) throw new Error(`pgbouncer not found: ${PGBOUNCER_INSTALL_HINT}`);
  const admin = process.env.LETHE_TEST_ADMIN_URL;
  if (!admin) throw new Error('LETHE_TEST_ADMIN_URL is not set: run the tests through jest (test/support/global-setup.js)');
  const server = new URL(admin);
  const runAs = unprivilegedUser();
  const dir = mkdtempSync(join(tmpdir(), 'lethe-pgbouncer-'));
  const port = await freePort();
  const config = join(dir, 'pgbouncer.ini');
  const logfile = join(dir, 'pgbouncer.log');
  // `*` passes any database name through to the same name on the server, as the one user of the
  // run's server (auth_type = any: clients are not asked for a password, the server is given it).
  const target = [
    `host=${server.hostname}`,
    `port=${server.port || '5432'}`,
    `user=${decodeURIComponent(server.username || 'postgres')}`,
    ...(server.password ? [`password=${decodeURIComponent(server.password)}`] : []),
  ].join(' ');
  writeFileSync(
    config,
    [
      '[databases]',
      `* = ${target}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      // No Unix socket: it would live in a shared folder under a name other runs may use.
      'unix_socket_dir =',
      'auth_type = any',
      `pool_mode = ${options.poolMode}`,
      `default_pool_size = ${options.poolSize ?? 4}`,
      'min_pool_size = 0',
      'reserve_pool_size = 0',
      'max_client_conn = 1000',
      // node-pg sends none of PgBouncer's untracked parameters by default; these keep other clients working.
      'ignore_startup_parameters = extra_float_digits,options',
      `logfile = ${logfile}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  if (runAs) for (const path of [dir, config]) chownSync(path, runAs.uid, runAs.gid);

  const child = spawn(binary, [config], {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += String(d)));
  child.stderr?.on('data', (d) => (output += String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => `${output}${existsSync(logfile) ? readFileSync(logfile, 'utf8') : ''}`;

  const stop = async () => {
    await terminate(child, exited);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, 10_000);
  } catch (error) {
    const text = log();
    await stop();
    throw new Error(`${(error as Error).message}; PgBouncer said:\n${text}`, { cause: error });
  }
  return {
    port,
    poolMode: options.poolMode,
    urlOf(databaseUrl) {
      const url = new URL(databaseUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      url.password = '';
      return url.toString();
    },
    log,
    stop,
  };
}

/** PgBouncer refuses to run as root: as root, run it as `postgres` (or `nobody` where there is none). */
function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
      const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
      return { uid, gid };
    } catch {
      // No such user: try the next.
    }
  }
  throw new Error('running as root, and neither a postgres nor a nobody user exists to run pgbouncer as');
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), 5_000)));
  if ((await Promise.race([exited, late])) === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`pgbouncer exited (${child.exitCode ?? child.signalCode}) before it listened`);
    if (await accepts(port)) return;
    if (Date.now() > until) throw new Error(`pgbouncer did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
