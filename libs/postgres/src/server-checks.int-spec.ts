// The boot checks against the test run's real PostgreSQL: its version is read and accepted, and a
// direct connection is not taken for a transaction-mode pooler.
import { createTestDatabase, type TestDatabase } from '@lethe/testing';
import { postgresConnection } from './connection.js';
import { connectClient, isTransactionPooler, requireSupportedVersion, serverVersion } from './server-checks.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

it('given the test server, when its version is read, then the number and text agree and the boot check accepts it', async () => {
  const client = await connectClient(postgresConnection({ url: db.url, setting: 'DATABASE_URL' }));
  try {
    const version = await serverVersion(client);
    const reported = await client.query<{ v: string }>('select version() as v');
    // server_version_num is major * 10000 + minor from PostgreSQL 10 on.
    const major = Math.floor(version.num / 10_000);
    expect(version.text).toMatch(new RegExp(`^${major}\\.\\d+`));
    expect(reported.rows[0].v).toContain(`PostgreSQL ${version.text.split(' ')[0]}`);
    expect(major).toBeGreaterThanOrEqual(13);
    expect(() => requireSupportedVersion(version, 'DATABASE_URL')).not.toThrow();
  } finally {
    await client.end();
  }
});

it('given a direct connection, when probed for a transaction-mode pooler, then it is none', async () => {
  await expect(isTransactionPooler(postgresConnection({ url: db.url, setting: 'LETHE_DIRECT_DATABASE_URL' }))).resolves.toBe(false);
});
