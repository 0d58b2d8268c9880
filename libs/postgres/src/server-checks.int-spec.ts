// The boot checks against the real thing: the test run's PostgreSQL (its version is read and
// accepted; a direct connection is not taken for a pooler), and PgBouncer in session mode (each
// client keeps its server session: fine for leases and LISTEN) and in transaction mode (not fine).
import { createTestDatabase, PGBOUNCER_INSTALL_HINT, pgbouncerPath, startPgBouncer, type PgBouncer, type TestDatabase } from '@lethe/testing';
import { postgresConnection } from './connection.js';
import { connectClient, isTransactionPooler, requireSameDatabase, requireSupportedVersion, serverVersion } from './server-checks.js';

const HAVE_PGBOUNCER = pgbouncerPath() !== undefined;
if (!HAVE_PGBOUNCER) console.warn(`libs/postgres/src/server-checks.int-spec.ts: pgbouncer not found, SKIPPED: ${PGBOUNCER_INSTALL_HINT}`);
// Without pgbouncer the pooler cases show as skipped in the summary, never as passed.
const describeWithPgBouncer = HAVE_PGBOUNCER ? describe : describe.skip;

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

it('given two URLs on different databases, when checked, then the engine refuses naming both settings; on one database it passes', async () => {
  const other = await createTestDatabase();
  try {
    const pooled = postgresConnection({ url: db.url, setting: 'DATABASE_URL' });
    const elsewhere = postgresConnection({ url: other.url, setting: 'LETHE_DIRECT_DATABASE_URL' });
    await expect(requireSameDatabase(pooled, elsewhere)).rejects.toThrow(
      'LETHE_DIRECT_DATABASE_URL and DATABASE_URL must reach the same database on the same server',
    );
    await expect(requireSameDatabase(pooled, postgresConnection({ url: db.url, setting: 'LETHE_DIRECT_DATABASE_URL' }))).resolves.toBeUndefined();
  } finally {
    await other.drop();
  }
});

const connection = (url: string) => postgresConnection({ url, setting: 'TEST_URL' });

describeWithPgBouncer('behind PgBouncer', () => {
  const bouncers: PgBouncer[] = [];

  afterAll(async () => {
    await Promise.all(bouncers.map((b) => b.stop()));
  });

  async function bouncer(poolMode: 'session' | 'transaction'): Promise<PgBouncer> {
    const started = await startPgBouncer({ poolMode, poolSize: 4 });
    bouncers.push(started);
    return started;
  }

  it('is false in session mode, where each client keeps its server session', async () => {
    const session = await bouncer('session');
    expect(await isTransactionPooler(connection(session.urlOf(db.url)))).toBe(false);
  });

  it('is true in transaction mode, where clients share server sessions between transactions', async () => {
    const transaction = await bouncer('transaction');
    expect(await isTransactionPooler(connection(transaction.urlOf(db.url)))).toBe(true);
  });
});
