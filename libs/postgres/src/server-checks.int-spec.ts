// isTransactionPooler against the real thing: a direct connection, PgBouncer in session mode (each
// client keeps its server session: fine for leases and LISTEN) and in transaction mode (not fine).
import { createTestDatabase, PGBOUNCER_INSTALL_HINT, pgbouncerPath, startPgBouncer, type PgBouncer, type TestDatabase } from '@lethe/testing';
import { postgresConnection } from './connection.js';
import { isTransactionPooler } from './server-checks.js';

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

const connection = (url: string) => postgresConnection({ url, setting: 'TEST_URL' });

it('is false for a direct connection', async () => {
  expect(await isTransactionPooler(connection(db.url))).toBe(false);
});

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
