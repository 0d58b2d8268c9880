// The lag of a processor read through the EventStore port (used when the log is not in this
// database: EventStoreDB), on a real PostgreSQL log.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PostgresEventStore, eventStoreMigrations } from '@lethe/eventstore';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { eventsAfter, lagInLog } from './processor-ownership.js';

let db: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, eventStoreMigrations);
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
  store = new PostgresEventStore(pool);
});

afterAll(async () => {
  await store.close();
  await pool.end();
  await db.drop();
});

const ev = () => ({ id: randomUUID(), type: 'Happened', data: {}, metadata: { schemaVersion: 1 } });

describe('lag through the port', () => {
  it('counts the events after a position, up to the cap, across pages', async () => {
    const start = await store.head();
    const { positions } = await store.append(`lag-${randomUUID()}`, Array.from({ length: 1500 }, ev), 'no-stream');
    expect(await eventsAfter(store, start, 10_000)).toBe(1500);
    expect(await eventsAfter(store, positions[999], 10_000)).toBe(500);
    expect(await eventsAfter(store, start, 1200)).toBe(1200);
    expect(await eventsAfter(store, positions[1499], 10_000)).toBe(0);
  });

  it('is the age of the oldest event not yet read, and 0 at the head', async () => {
    const before = await store.head();
    await store.append(`lag-${randomUUID()}`, [ev()], 'no-stream');
    const [recorded] = await store.readAll(before, 1);
    const later = new Date(recorded.recordedAt.getTime() + 4_000);
    expect(await lagInLog(store, before, later)).toBe(4_000);
    expect(await lagInLog(store, recorded.position, later)).toBe(0);
  });
});
