// The read horizon against a real server: a reader passes a hole once no transaction that could
// fill it is running, whatever other transactions on the server do, and never passes a hole an
// append in this database may still fill.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import type { EventToAppend, RecordedEvent } from '../event-store.js';
import { WrongExpectedRevisionError } from '../errors.js';
import { eventStoreMigrations } from './migrations.js';
import { PostgresEventStore } from './postgres-event-store.js';

const ev = (type = 'Happened'): EventToAppend => ({ id: randomUUID(), type, data: {}, metadata: { schemaVersion: 1 } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) return false;
    await sleep(10);
  }
  return true;
}

/** Appends the same stream twice with 'no-stream': the second insert burns a position. */
async function conflictHole(store: PostgresEventStore): Promise<void> {
  const stream = `hole-${randomUUID()}`;
  await store.append(stream, [ev()], 'no-stream');
  await expect(store.append(stream, [ev()], 'no-stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
}

/** The events a reader gets after `after` within `ms` (polling readPage as a processor would). */
async function readWithin(store: PostgresEventStore, after: bigint, count: number, ms: number): Promise<RecordedEvent[]> {
  const until = Date.now() + ms;
  for (;;) {
    const { events } = await store.readPage(after, 100);
    if (events.length >= count || Date.now() > until) return events;
    await sleep(20);
  }
}

/** A client in ANOTHER database of the same server, inside a transaction that holds an xid. */
async function openForeignTransaction(): Promise<{ end(): Promise<void> }> {
  const other = await createTestDatabase();
  const client = new pg.Client({ connectionString: other.url });
  await client.connect();
  await client.query('begin');
  await client.query('select pg_current_xact_id()');
  return {
    async end() {
      await client.query('rollback').catch(() => undefined);
      await client.end();
      await other.drop();
    },
  };
}

describe('PostgreSQL read horizon', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let store: PostgresEventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    await runMigrations(db.url, eventStoreMigrations);
    pool = new pg.Pool({ connectionString: db.url, max: 5 });
    pool.on('error', reportIdleError);
    store = new PostgresEventStore(pool, { pollIntervalMs: 100 });
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
    await db.drop();
  });

  it('given a transaction open in another database, when a conflict leaves a hole, then a subscriber still gets the next event within 2 s', async () => {
    const foreign = await openForeignTransaction();
    const seen: RecordedEvent[] = [];
    let failure: unknown;
    const sub = store.subscribe(await store.head(), async (e) => void seen.push(e), { onError: (e) => (failure = e) });
    try {
      await conflictHole(store);
      const after = await store.append(`after-${randomUUID()}`, [ev('After')], 'no-stream');
      const delivered = await waitFor(() => seen.some((e) => e.type === 'After'), 2_000);
      expect(failure).toBeUndefined();
      expect(delivered).toBe(true);
      // There was a hole to pass: the conflicting append drew the position before the event's.
      const first = seen.find((e) => e.streamId.startsWith('hole-'))!;
      expect(after.positions[0]).toBe(first.position + 2n);
    } finally {
      await sub.stop();
      await foreign.end();
    }
  });

  it('given a transaction open in another database, when an append in this one rolls back, then readPage passes its hole within 2 s', async () => {
    const foreign = await openForeignTransaction();
    try {
      const start = await store.head();
      const client = await pool.connect();
      try {
        await client.query('begin');
        await store.inTransaction(client).append(`rolled-${randomUUID()}`, [ev()], 'no-stream');
        await client.query('rollback');
      } finally {
        client.release();
      }
      const after = await store.append(`after-${randomUUID()}`, [ev('After')], 'no-stream');
      expect(after.positions[0]).toBe(start + 2n);
      const events = await readWithin(store, start, 1, 2_000);
      expect(events.map((e) => e.position)).toEqual(after.positions);
    } finally {
      await foreign.end();
    }
  });

  describe('given an append in flight in this database, holding the position before a committed event', () => {
    for (const outcome of ['commit', 'rollback'] as const) {
      it(`when it is still running, then the later event is not delivered; when it ends (${outcome}), then it is`, async () => {
        const start = await store.head();
        const client = await pool.connect();
        try {
          await client.query('begin');
          const held = await store.inTransaction(client).append(`held-${randomUUID()}`, [ev('Held')], 'no-stream');
          const later = await store.append(`later-${randomUUID()}`, [ev('Later')], 'no-stream');
          expect(held.positions[0]).toBe(start + 1n);
          expect(later.positions[0]).toBe(start + 2n);
          // Observe many times while it runs, so settled-or-not is decided by the server, not by luck.
          for (let i = 0; i < 20; i++) {
            const page = await store.readPage(start, 100);
            expect(page.events).toEqual([]);
            expect(page.blocked).toBe(true);
            await sleep(15);
          }
          await client.query(outcome);
        } finally {
          client.release();
        }
        const events = await readWithin(store, start, outcome === 'commit' ? 2 : 1, 2_000);
        expect(events.map((e) => e.type)).toEqual(outcome === 'commit' ? ['Held', 'Later'] : ['Later']);
      });
    }
  });

  it('given a subscriber and an append in flight in this database, then it delivers every event once, in order, after the append commits', async () => {
    const start = await store.head();
    const seen: RecordedEvent[] = [];
    const sub = store.subscribe(start, async (e) => void seen.push(e));
    const client = await pool.connect();
    try {
      await client.query('begin');
      await store.inTransaction(client).append(`held-${randomUUID()}`, [ev('Held')], 'no-stream');
      await store.append(`later-${randomUUID()}`, [ev('Later')], 'no-stream');
      await sleep(500);
      expect(seen).toEqual([]);
      await client.query('commit');
    } finally {
      client.release();
    }
    expect(await waitFor(() => seen.length >= 2, 2_000)).toBe(true);
    await sleep(100);
    await sub.stop();
    expect(seen.map((e) => e.type)).toEqual(['Held', 'Later']);
  });
});

describe('PostgreSQL read horizon as a plain role that owns its database', () => {
  const admin = process.env.LETHE_TEST_ADMIN_URL!;
  const suffix = randomBytes(6).toString('hex');
  const role = `lethe_r_${suffix}`;
  const database = `lethe_t_${suffix}`;
  const password = randomBytes(12).toString('hex');
  let pool: pg.Pool;
  let store: PostgresEventStore;

  async function asAdmin(sql: string): Promise<void> {
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  }

  beforeAll(async () => {
    await asAdmin(`create role ${role} login nosuperuser nocreatedb nocreaterole password '${password}'`);
    await asAdmin(`create database ${database} owner ${role}`);
    const url = new URL(admin);
    url.username = role;
    url.password = password;
    url.pathname = `/${database}`;
    await runMigrations(url.toString(), eventStoreMigrations);
    pool = new pg.Pool({ connectionString: url.toString(), max: 5 });
    pool.on('error', reportIdleError);
    store = new PostgresEventStore(pool, { pollIntervalMs: 100 });
  });
  afterAll(async () => {
    await store?.close();
    await pool?.end();
    await asAdmin(`drop database if exists ${database} with (force)`);
    await asAdmin(`drop role if exists ${role}`);
  });

  it('runs as that role: it is not a superuser, passes a final hole, and stops at one an append in flight may fill', async () => {
    const me = await pool.query<{ super: boolean }>('select rolsuper as super from pg_roles where rolname = current_user');
    expect(me.rows[0].super).toBe(false);

    const start = await store.head();
    await conflictHole(store);
    const after = await store.append(`after-${randomUUID()}`, [ev('After')], 'no-stream');
    const passed = await readWithin(store, start, 2, 2_000);
    expect(passed.map((e) => e.position)).toEqual([start + 1n, after.positions[0]]);

    const client = await pool.connect();
    try {
      await client.query('begin');
      await store.inTransaction(client).append(`held-${randomUUID()}`, [ev('Held')], 'no-stream');
      const later = await store.append(`later-${randomUUID()}`, [ev('Later')], 'no-stream');
      const page = await store.readPage(after.positions[0], 100);
      expect(page).toEqual({ events: [], blocked: true });
      await client.query('rollback');
      const events = await readWithin(store, after.positions[0], 1, 2_000);
      expect(events.map((e) => e.position)).toEqual(later.positions);
    } finally {
      client.release();
    }
  });
});
