import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, type TestDatabase, reportIdleError } from '@lethe/testing';
import { DeadlinePoller, DeadlineKindMismatchError, PostgresDeadlineStore, readDeadlineBacklog, schedulerMigrations, type Deadline } from './index.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const HOUR = 3_600_000;

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  expect(await runMigrations(db.url, [...schedulerMigrations])).toEqual(['CreateDeadlines1764400000000', 'DeadlineClaims1764400000080', 'DeadlineScheduleIndex1764400000113']);
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
});

// Pollers claim any due row, so each test starts from an empty table.
beforeEach(async () => {
  await pool.query('delete from lethe_deadlines');
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

let seq = 0;
/** Each test works on its own ids and kind, so tests never see each other's rows. */
function fresh() {
  seq += 1;
  const clock = new ManualClock(T0);
  const store = new PostgresDeadlineStore(pool, clock);
  const kind = `kind-${seq}`;
  const seen: Deadline[] = [];
  const poller = new DeadlinePoller(pool, clock, {
    [kind]: async (deadline) => {
      seen.push(deadline);
    },
  });
  return { clock, store, kind, seen, poller, id: (name: string) => `t${seq}-${name}` };
}

describe('PostgresDeadlineStore', () => {
  it('schedules a deadline and round-trips its payload (objects, arrays, scalars, unicode)', async () => {
    const { store, kind, id } = fresh();
    const payloads: unknown[] = [
      { tenantId: 'ten-1', nested: { versions: [1, 2, 3], ok: true, none: null }, note: 'Grüße — 🔑' },
      ['a', 'b'],
      'just a string',
      42,
      null,
    ];
    for (const [i, payload] of payloads.entries()) {
      const result = await store.schedule(id(`p${i}`), new Date(T0.getTime() + HOUR), kind, payload);
      expect(result.outcome).toBe('scheduled');
      expect(result.deadline.payload).toEqual(payload);
      const read = await store.get(id(`p${i}`));
      expect(read).toMatchObject({
        id: id(`p${i}`),
        kind,
        status: 'pending',
        attempts: 0,
        lastError: null,
        nextAttemptAt: null,
        firedAt: null,
        createdAt: T0,
        updatedAt: T0,
      });
      expect(read!.dueAt.toISOString()).toBe('2026-03-02T10:00:00.000Z');
      expect(read!.payload).toEqual(payload);
    }
    expect(await store.get(id('missing'))).toBeNull();
  });

  it('a deadline not yet due does not fire; it fires once when the clock reaches it, and never again', async () => {
    const { clock, store, kind, id, seen, poller } = fresh();
    await store.schedule(id('d'), new Date(T0.getTime() + HOUR), kind, { n: 1 });

    expect(await poller.tick()).toEqual({ fired: 0, failed: 0, parked: 0, firedDeadlines: [] });
    clock.advance(HOUR - 1);
    expect(await poller.tick()).toEqual({ fired: 0, failed: 0, parked: 0, firedDeadlines: [] });
    expect(seen).toHaveLength(0);

    clock.advance(1); // exactly at dueAt
    expect(await poller.tick()).toEqual({ fired: 1, failed: 0, parked: 0, firedDeadlines: [{ id: id('d'), kind }] });
    expect(seen.map((d) => [d.id, d.payload])).toEqual([[id('d'), { n: 1 }]]);

    clock.advance(HOUR);
    expect(await poller.tick()).toEqual({ fired: 0, failed: 0, parked: 0, firedDeadlines: [] });
    expect(seen).toHaveLength(1);
    const fired = await store.get(id('d'));
    expect(fired).toMatchObject({ status: 'fired', attempts: 0, nextAttemptAt: null });
    expect(fired!.firedAt!.toISOString()).toBe(new Date(T0.getTime() + HOUR).toISOString());
  });

  it('rescheduling a pending deadline replaces its due time and payload; the same values are a no-op', async () => {
    const { clock, store, kind, id, seen, poller } = fresh();
    await store.schedule(id('r'), new Date(T0.getTime() + HOUR), kind, { v: 1 });
    clock.advance(60_000);

    const same = await store.schedule(id('r'), new Date(T0.getTime() + HOUR), kind, { v: 1 });
    expect(same.outcome).toBe('unchanged');
    expect(same.deadline.updatedAt).toEqual(T0);

    const moved = await store.schedule(id('r'), new Date(T0.getTime() + 3 * HOUR), kind, { v: 2 });
    expect(moved.outcome).toBe('rescheduled');
    expect(moved.deadline).toMatchObject({ status: 'pending', payload: { v: 2 }, createdAt: T0, updatedAt: clock.now() });

    clock.set(new Date(T0.getTime() + 2 * HOUR)); // the old due time has passed: nothing fires
    expect((await poller.tick()).fired).toBe(0);
    clock.set(new Date(T0.getTime() + 3 * HOUR));
    expect((await poller.tick()).fired).toBe(1);
    expect(seen.map((d) => d.payload)).toEqual([{ v: 2 }]);

    // Moving a deadline earlier works too.
    await store.schedule(id('e'), new Date(clock.now().getTime() + 5 * HOUR), kind, null);
    expect((await store.schedule(id('e'), clock.now(), kind, null)).outcome).toBe('rescheduled');
    expect((await poller.tick()).fired).toBe(1);
  });

  it('never revives a fired or cancelled deadline, and refuses a kind change', async () => {
    const { clock, store, kind, id, seen, poller } = fresh();
    await store.schedule(id('f'), T0, kind, { v: 1 });
    await poller.tick();
    expect(seen).toHaveLength(1);

    clock.advance(HOUR);
    const again = await store.schedule(id('f'), new Date(T0.getTime() + 2 * HOUR), kind, { v: 2 });
    expect(again.outcome).toBe('already-fired');
    expect(again.deadline).toMatchObject({ status: 'fired', payload: { v: 1 } });
    clock.advance(2 * HOUR);
    expect((await poller.tick()).fired).toBe(0);

    await store.schedule(id('c'), new Date(T0.getTime() + 10 * HOUR), kind, null);
    await store.cancel(id('c'));
    const revived = await store.schedule(id('c'), new Date(T0.getTime() + 10 * HOUR), kind, null);
    expect(revived.outcome).toBe('already-cancelled');
    expect(revived.deadline.status).toBe('cancelled');

    await store.schedule(id('k'), new Date(T0.getTime() + 10 * HOUR), kind, null);
    await expect(store.schedule(id('k'), new Date(T0.getTime() + 10 * HOUR), 'another-kind', null)).rejects.toBeInstanceOf(
      DeadlineKindMismatchError,
    );
  });

  it('cancels a pending deadline, which then never fires; cancel reports what it found otherwise', async () => {
    const { clock, store, kind, id, seen, poller } = fresh();
    await store.schedule(id('c'), new Date(T0.getTime() + HOUR), kind, null);
    clock.advance(1000);
    const cancelled = await store.cancel(id('c'));
    expect(cancelled.outcome).toBe('cancelled');
    expect(cancelled.deadline).toMatchObject({ status: 'cancelled', updatedAt: clock.now() });
    expect((await store.cancel(id('c'))).outcome).toBe('already-cancelled');
    expect(await store.cancel(id('nope'))).toEqual({ outcome: 'not-found', deadline: null });

    clock.advance(2 * HOUR);
    expect((await poller.tick()).fired).toBe(0);
    expect(seen).toHaveLength(0);

    await store.schedule(id('f'), clock.now(), kind, null);
    await poller.tick();
    expect((await store.cancel(id('f'))).outcome).toBe('already-fired');
    expect((await store.get(id('f')))!.status).toBe('fired');
  });

  it('a schedule of a row being fired answers at once; the reschedule stands and fires at its new time', async () => {
    const { clock, store, kind, id } = fresh();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const payloads: unknown[] = [];
    const poller = new DeadlinePoller(pool, clock, {
      [kind]: async (deadline, { rescheduleAt }) => {
        payloads.push(deadline.payload);
        if (payloads.length > 1) return;
        entered();
        await held;
        rescheduleAt(new Date(T0.getTime() + 10 * HOUR)); // overridden by the reschedule below
      },
    });
    await store.schedule(id('busy'), T0, kind, { v: 1 });
    const tick = poller.tick();
    await inHandler;

    // No row lock is held while the handler runs: this answers without waiting for it.
    const moved = await store.schedule(id('busy'), new Date(T0.getTime() + HOUR), kind, { v: 2 });
    expect(moved.outcome).toBe('rescheduled');
    expect(moved.deadline).toMatchObject({ status: 'pending', payload: { v: 2 } });
    release();
    expect((await tick).fired).toBe(1);
    // The reschedule made meanwhile stands: pending at its time, with its payload, claim released.
    expect(await store.get(id('busy'))).toMatchObject({ status: 'pending', dueAt: new Date(T0.getTime() + HOUR), payload: { v: 2 }, firedAt: null });
    const claim = await pool.query('select claimed_by, claim_token from lethe_deadlines where id = $1', [id('busy')]);
    expect(claim.rows[0]).toEqual({ claimed_by: null, claim_token: null });

    clock.set(new Date(T0.getTime() + HOUR));
    expect((await poller.tick()).fired).toBe(1);
    expect(payloads).toEqual([{ v: 1 }, { v: 2 }]);
    expect((await store.get(id('busy')))!.status).toBe('fired');
  });

  it('rearmAllInTx: several watch timers in one statement, answering the ids it wrote; an id given twice is refused before anything is written', async () => {
    const { store, kind, id } = fresh();
    const client = await pool.connect();
    try {
      const later = new Date(T0.getTime() + HOUR);
      await store.rearmInTx(client, id('same'), T0, kind, { n: 1 });
      await client.query('begin');
      const statements: string[] = [];
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => (statements.push(String(args[0])), query(...args));
      const written = await store.rearmAllInTx(client, kind, [
        { id: id('new'), dueAt: later, payload: { n: 2 } },
        { id: id('same'), dueAt: T0, payload: { n: 1 } },
        { id: id('no-payload'), dueAt: T0 },
      ]);
      (client as unknown as { query: unknown }).query = query;
      await client.query('commit');
      expect(statements).toHaveLength(1);
      expect(written).toEqual(new Set([id('new'), id('no-payload')]));
      expect(await store.get(id('new'))).toMatchObject({ status: 'pending', dueAt: later, payload: { n: 2 } });
      expect(await store.get(id('no-payload'))).toMatchObject({ status: 'pending', dueAt: T0, payload: null });
      await expect(store.rearmAllInTx(client, kind, [{ id: id('twice'), dueAt: T0 }, { id: id('twice'), dueAt: later }])).rejects.toThrow(TypeError);
      expect(await store.get(id('twice'))).toBeNull();
      expect(await store.rearmAllInTx(client, kind, [])).toEqual(new Set());
    } finally {
      client.release();
    }
  });

  it('rearmInTx: a watch timer is made pending again after it fired or was cancelled; the same time writes nothing; a failed or other-kind row is left alone', async () => {
    const { clock, store, kind, id, seen, poller } = fresh();
    const client = await pool.connect();
    try {
      expect(await store.rearmInTx(client, id('w'), T0, kind, { tenantId: 'acme' })).toBe(true);
      expect(await store.rearmInTx(client, id('w'), T0, kind, { tenantId: 'acme' })).toBe(false);
      await poller.tick();
      expect(seen).toHaveLength(1);
      expect((await store.get(id('w')))!.status).toBe('fired');

      const later = new Date(T0.getTime() + 2 * HOUR);
      expect(await store.rearmInTx(client, id('w'), later, kind, { tenantId: 'acme' })).toBe(true);
      expect(await store.get(id('w'))).toMatchObject({ status: 'pending', dueAt: later, firedAt: null, attempts: 0 });
      clock.advance(2 * HOUR);
      await poller.tick();
      expect(seen).toHaveLength(2);

      await store.rearmInTx(client, id('w'), new Date(T0.getTime() + 5 * HOUR), kind, null);
      await store.cancel(id('w'));
      expect(await store.rearmInTx(client, id('w'), new Date(T0.getTime() + 6 * HOUR), kind, null)).toBe(true);
      expect((await store.get(id('w')))!.status).toBe('pending');

      expect(await store.rearmInTx(client, id('w'), T0, 'another-kind', null)).toBe(false);
      await pool.query(`update lethe_deadlines set status = 'failed' where id = $1`, [id('w')]);
      expect(await store.rearmInTx(client, id('w'), T0, kind, null)).toBe(false);
      expect((await store.get(id('w')))!.status).toBe('failed');
    } finally {
      client.release();
    }
  });

  it('scheduleInTx and cancelInTx commit and roll back with the caller transaction', async () => {
    const { store, kind, id } = fresh();
    await store.schedule(id('existing'), new Date(T0.getTime() + HOUR), kind, null);
    const client = await pool.connect();
    try {
      await client.query('begin');
      expect((await store.scheduleInTx(client, id('tx'), T0, kind, { a: 1 })).outcome).toBe('scheduled');
      expect((await store.cancelInTx(client, id('existing'))).outcome).toBe('cancelled');
      await client.query('rollback');
      expect(await store.get(id('tx'))).toBeNull();
      expect((await store.get(id('existing')))!.status).toBe('pending');

      await client.query('begin');
      await store.scheduleInTx(client, id('tx'), T0, kind, { a: 1 });
      await store.cancelInTx(client, id('existing'));
      await client.query('commit');
    } finally {
      client.release();
    }
    expect((await store.get(id('tx')))!.payload).toEqual({ a: 1 });
    expect((await store.get(id('existing')))!.status).toBe('cancelled');
  });

  it('lists for ops, counts by status, and tells the next due time', async () => {
    const { clock, store, kind, id, poller } = fresh();
    expect(await store.list({ kind })).toEqual([]);
    await store.schedule(id('b'), new Date(T0.getTime() + 2 * HOUR), kind, null);
    await store.schedule(id('a'), new Date(T0.getTime() + HOUR), kind, null);
    await store.schedule(id('c'), new Date(T0.getTime() + 3 * HOUR), kind, null);
    await store.cancel(id('c'));

    expect((await store.list({ kind })).map((d) => d.id)).toEqual([id('a'), id('b'), id('c')]);
    expect((await store.list({ kind, status: 'pending' })).map((d) => d.id)).toEqual([id('a'), id('b')]);
    expect((await store.list({ kind, limit: 1 })).map((d) => d.id)).toEqual([id('a')]);
    await expect(store.list({ status: 'bogus' as never })).rejects.toThrow(TypeError);
    await expect(store.list({ limit: 0 })).rejects.toThrow(RangeError);

    expect(await store.nextDueAt()).toEqual(new Date(T0.getTime() + HOUR));

    clock.set(new Date(T0.getTime() + HOUR));
    await poller.tick();
    expect(await store.countByStatus()).toEqual({ pending: 1, fired: 1, cancelled: 1, failed: 0 });
    expect(await store.nextDueAt()).toEqual(new Date(T0.getTime() + 2 * HOUR));
    await store.cancel(id('b'));
    expect(await store.nextDueAt()).toBeNull();
  });

  it('rejects bad input before touching the table', async () => {
    const { store, kind, id } = fresh();
    await expect(store.schedule('', T0, kind)).rejects.toThrow(TypeError);
    await expect(store.schedule(id('x'), new Date('nope'), kind)).rejects.toThrow(TypeError);
    await expect(store.schedule(id('x'), T0, '')).rejects.toThrow(TypeError);
    await expect(store.schedule(id('x'), T0, kind, { big: BigInt(1) })).rejects.toThrow();
    await expect(store.schedule(id('x'), T0, kind, () => 1)).rejects.toThrow(TypeError);
    expect(await store.get(id('x'))).toBeNull();
  });

  it('lists the schedule: pending and parked timers of the kinds asked, due in [from, to), in keyset pages', async () => {
    const { store, kind, id, poller, clock } = fresh();
    const other = `${kind}-other`;
    const at = (hours: number) => new Date(T0.getTime() + hours * HOUR);
    for (const [name, hours] of [['a', 1], ['b', 2], ['c', 2], ['d', 3], ['e', 5]] as const) await store.schedule(id(name), at(hours), kind, { n: name });
    await store.schedule(id('other'), at(2), other);
    await store.schedule(id('gone'), at(2), kind);
    await store.cancel(id('gone'));
    await store.schedule(id('fired'), T0, kind);
    await poller.tick();
    expect((await store.get(id('fired')))?.status).toBe('fired');
    clock.set(T0);

    const page = (after: { dueAt: Date; id: string } | null, limit: number, to: Date | null = null) => store.upcoming({ kinds: [kind], from: at(1), to, after, limit });
    const first = await page(null, 2);
    expect(first.map((d) => d.id)).toEqual([id('a'), id('b')]);
    expect(first[0]).toEqual({ id: id('a'), kind, dueAt: at(1), payload: { n: 'a' }, status: 'pending', attempts: 0, nextAttemptAt: null, claimed: false });
    const second = await page({ dueAt: first[1].dueAt, id: first[1].id }, 2);
    expect(second.map((d) => d.id)).toEqual([id('c'), id('d')]);
    expect((await page({ dueAt: second[1].dueAt, id: second[1].id }, 2)).map((d) => d.id)).toEqual([id('e')]);
    expect((await page(null, 10, at(3))).map((d) => d.id)).toEqual([id('a'), id('b'), id('c')]);
    expect((await store.upcoming({ kinds: [kind, other], from: at(2), to: at(3), after: null, limit: 10 })).map((d) => d.id)).toEqual([id('b'), id('c'), id('other')]);
    await expect(store.upcoming({ kinds: [], from: T0, to: null, after: null, limit: 1 })).rejects.toThrow(RangeError);
  });

  it('reads a schedule page from its partial index, not the fired rows', async () => {
    const client = await pool.connect();
    try {
      // The table is nearly empty here: forbid the sequential scan so the plan shows whether the index serves the query at all.
      await client.query('set enable_seqscan = off');
      const plan = await client.query<{ 'QUERY PLAN': string }>(
        `explain select id from lethe_deadlines where status in ('pending', 'failed') and kind = any($1::text[]) and due_at >= $2
           and (due_at, id) > ($3::timestamptz, $4::text) order by due_at, id limit 10`,
        [['k'], T0, T0, 'x'],
      );
      expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('lethe_deadlines_schedule_idx');
    } finally {
      client.release();
    }
  });
});

describe('readDeadlineBacklog', () => {
  it('counts due, late and parked rows by kind, and how long the oldest due row has waited', async () => {
    const { clock, store, kind, id } = fresh();
    const broken = `${kind}-broken`;
    const MIN = 60_000;
    await store.schedule(id('due-long-ago'), new Date(T0.getTime() - 10 * MIN), kind, null);
    await store.schedule(id('due-just-now'), new Date(T0.getTime() - 10_000), kind, null);
    await store.schedule(id('later'), new Date(T0.getTime() + HOUR), kind, null);
    await store.schedule(id('fired'), new Date(T0.getTime() - HOUR), kind, null);
    await store.schedule(id('parked'), new Date(T0.getTime() - HOUR), broken, null);
    await pool.query(`update lethe_deadlines set status = 'fired', fired_at = now() where id = $1`, [id('fired')]);
    // As the poller leaves a row whose last attempt failed (deadline-poller.int-spec.ts parks one for real).
    await pool.query(`update lethe_deadlines set status = 'failed', attempts = 10 where id = $1`, [id('parked')]);
    const backlog = await readDeadlineBacklog(pool, clock.now(), MIN);
    expect(Object.fromEntries(backlog.byKind)).toEqual({ [kind]: { due: 2, late: 1, failed: 0 }, [broken]: { due: 0, late: 0, failed: 1 } });
    expect(backlog.oldestDueMs).toBe(10 * MIN);
    expect(await readDeadlineBacklog(pool, new Date(T0.getTime() - 20 * MIN), MIN)).toEqual({ byKind: new Map([[broken, { due: 0, late: 0, failed: 1 }]]), oldestDueMs: 0 });
  });
});
