import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, type TestDatabase, reportIdleError, watchStatements } from '@lethe/testing';
import { eventStoreContract } from '../contract/event-store.contract.js';
import { eventStoreMigrations } from './migrations.js';
import { PostgresEventStore } from './postgres-event-store.js';

eventStoreContract('PostgreSQL', async () => {
  const db: TestDatabase = await createTestDatabase();
  await runMigrations(db.url, eventStoreMigrations);
  const pools: pg.Pool[] = [];
  const stores: PostgresEventStore[] = [];
  const open = () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 10 });
    pool.on('error', reportIdleError);
    const store = new PostgresEventStore(pool, { pollIntervalMs: 100 });
    pools.push(pool);
    stores.push(store);
    return { pool, store };
  };
  const main = open();
  return {
    store: main.store,
    async appendWithDelayedCommit(streamId, events, delayMs) {
      const client = await main.pool.connect();
      try {
        await client.query('begin');
        await main.store.inTransaction(client).append(streamId, events, 'no-stream');
        await new Promise((r) => setTimeout(r, delayMs));
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw error;
      } finally {
        client.release();
      }
    },
    async otherStores(count) {
      return Array.from({ length: count }, () => open().store);
    },
    async dispose() {
      for (const s of stores) await s.close();
      for (const p of pools) await p.end();
      await db.drop();
    },
  };
});

/** A fresh database with the store's tables, and one store on a pool of 4 that does not poll. */
async function withStore(test: (store: PostgresEventStore, pool: pg.Pool) => Promise<void>): Promise<void> {
  const db = await createTestDatabase();
  await runMigrations(db.url, eventStoreMigrations);
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
  const store = new PostgresEventStore(pool, { pollIntervalMs: 60_000 });
  try {
    await test(store, pool);
  } finally {
    await store.close();
    await pool.end();
    await db.drop();
  }
}

describe('PostgreSQL stream reads of one store', () => {
  it('asked for in one turn, go in one statement, each with its own stream from its own revision', async () => {
    await withStore(async (store, pool) => {
      const event = (type: string) => ({ id: randomUUID(), type, data: {} });
      await store.append('ring-1', [event('a0'), event('a1'), event('a2')], 'no-stream');
      await store.append('tenant-1', [event('b0')], 'no-stream');
      const statements = watchStatements(pool);
      // Given a command loading two aggregates side by side, one of them asked twice from two revisions, and a stream never written
      const [ring, ringTail, tenant, none] = await Promise.all([
        store.readStream('ring-1'),
        store.readStream('ring-1', { fromRevision: 2n }),
        store.readStream('tenant-1'),
        store.readStream('nobody-1'),
      ]);
      // Then one statement answered each read as a read of its own would
      expect(ring.map((e) => e.type)).toEqual(['a0', 'a1', 'a2']);
      expect(ringTail.map((e) => [e.type, e.revision])).toEqual([['a2', 2n]]);
      expect(tenant.map((e) => e.type)).toEqual(['b0']);
      expect(none).toEqual([]);
      expect(statements.count(/lethe_events/)).toBe(1);
      // A read with a limit goes alone
      statements.clear();
      expect((await store.readStream('ring-1', { limit: 1 })).map((e) => e.type)).toEqual(['a0']);
      expect(statements.count(/lethe_events/)).toBe(1);
    });
  });
});

describe('PostgreSQL reads by event id of one store', () => {
  it('asked for in one turn, go in one statement, each answered within its own streams', async () => {
    await withStore(async (store, pool) => {
      const a = { id: randomUUID(), type: 'a', data: {} };
      const b = { id: randomUUID(), type: 'b', data: {} };
      await store.append('keys-1', [a], 'no-stream');
      await store.append('keys-2', [b], 'no-stream');
      const statements = watchStatements(pool);
      // Given a fleet's requests asking side by side whether their backups were recorded before
      const [inOwn, inOther, anyStream, upper, never, twice] = await Promise.all([
        store.readEvent(a.id, { streams: ['keys-1'] }),
        store.readEvent(b.id, { streams: ['keys-1'] }),
        store.readEvent(b.id),
        store.readEvent(a.id.toUpperCase(), { streams: ['keys-2', 'keys-1'] }),
        store.readEvent(randomUUID(), { streams: ['keys-1'] }),
        store.readEvent(a.id, { streams: ['keys-1'] }),
      ]);
      // Then one statement answered each as a read of its own would
      expect(inOwn).toMatchObject({ id: a.id, streamId: 'keys-1', type: 'a' });
      expect(inOther).toBeNull();
      expect(anyStream).toMatchObject({ id: b.id, streamId: 'keys-2' });
      expect(upper).toMatchObject({ id: a.id });
      expect(never).toBeNull();
      expect(twice).toMatchObject({ id: a.id });
      expect(statements.count(/lethe_events/)).toBe(1);
    });
  });
});

describe('PostgreSQL subscriptions of one store', () => {
  it('woken together at one position, read the log once between them, and each gets every event', async () => {
    const db = await createTestDatabase();
    await runMigrations(db.url, eventStoreMigrations);
    const pool = new pg.Pool({ connectionString: db.url, max: 10 });
    pool.on('error', reportIdleError);
    // Count the reads of log pages the store makes (a real pool, counted).
    const statements = watchStatements(pool);
    const pageReads = () => statements.count(/where global_position > \$1/);
    const store = new PostgresEventStore(pool, { pollIntervalMs: 60_000 });
    const subscriptions: { stop(): Promise<void> }[] = [];
    try {
      const event = (type: string) => ({ id: randomUUID(), type, data: {} });
      await store.append('warm-1', [event('w')], 'no-stream');
      const head = await store.head();
      // Given four processors caught up at the head
      const received: string[][] = [[], [], [], []];
      const caughtUp = received.map(
        (into) =>
          new Promise<void>((resolve) => {
            subscriptions.push(store.subscribe(head, async (e) => void into.push(e.type), { onCaughtUp: resolve }));
          }),
      );
      await Promise.all(caughtUp);
      // (a first round, so the store's listening connection is up and its wake-up spent)
      await store.append('warm-2', [event('w2')], 'no-stream');
      await waitFor(() => received.every((r) => r.length === 1));
      await new Promise((r) => setTimeout(r, 200));
      for (const r of received) r.length = 0;
      statements.clear();
      // When one append wakes them all
      await store.append('s-1', [event('e1'), event('e2')], 'no-stream');
      await waitFor(() => received.every((r) => r.length >= 2));
      // Then each got both events from one read of the log
      expect(received).toEqual([['e1', 'e2'], ['e1', 'e2'], ['e1', 'e2'], ['e1', 'e2']]);
      expect(pageReads()).toBe(1);
    } finally {
      for (const s of subscriptions) await s.stop();
      await store.close();
      await pool.end();
      await db.drop();
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (const until = Date.now() + 5_000; !condition(); ) {
    if (Date.now() > until) throw new Error('not within 5 s');
    await new Promise((r) => setTimeout(r, 10));
  }
}
