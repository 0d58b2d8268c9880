import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, type TestDatabase, reportIdleError } from '@lethe/testing';
import {
  DeadlinePoller,
  PostgresDeadlineStore,
  backoffDelayMs,
  schedulerMigrations,
  type DeadlineHandlers,
  type DeadlineLogger,
  type DeadlinePollerOptions,
} from './index.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...schedulerMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 6 });
  pool.on('error', reportIdleError);
  await pool.query('create table side_effects (deadline_id text not null, note text not null)');
});

beforeEach(async () => {
  await pool.query('delete from lethe_deadlines');
  await pool.query('delete from side_effects');
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

interface LogLine {
  level: 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

function recordingLogger(): { logger: DeadlineLogger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    logger: {
      info: (fields, message) => lines.push({ level: 'info', fields, message }),
      warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
      error: (fields, message) => lines.push({ level: 'error', fields, message }),
    },
  };
}

function setup(handlers: DeadlineHandlers, options: DeadlinePollerOptions = {}) {
  const clock = new ManualClock(T0);
  const store = new PostgresDeadlineStore(pool, clock);
  const { logger, lines } = recordingLogger();
  const poller = new DeadlinePoller(pool, clock, handlers, { backoff: { baseMs: 1000, maxMs: 60_000 }, logger, ...options });
  return { clock, store, poller, lines };
}

async function sideEffects(id: string): Promise<string[]> {
  const r = await pool.query<{ note: string }>('select note from side_effects where deadline_id = $1 order by note', [id]);
  return r.rows.map((row) => row.note);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('DeadlinePoller: retries', () => {
  it('backs off exponentially after failures, keeps the last error, then fires', async () => {
    let calls = 0;
    const attemptsSeen: number[] = [];
    const { clock, store, poller, lines } = setup({
      flaky: async (_d, { attempt }) => {
        attemptsSeen.push(attempt);
        calls += 1;
        if (calls <= 2) throw new Error(`vault unavailable (${calls})`);
      },
    });
    await store.schedule('flaky-1', T0, 'flaky', { tenantId: 'secret-tenant-payload' });

    expect(await poller.tick()).toMatchObject({ fired: 0, failed: 1, parked: 0 });
    let row = await store.get('flaky-1');
    expect(row).toMatchObject({ status: 'pending', attempts: 1, lastError: 'Error: vault unavailable (1)' });
    expect(row!.nextAttemptAt).toEqual(new Date(T0.getTime() + 1000));
    expect(await store.nextDueAt()).toEqual(new Date(T0.getTime() + 1000));

    expect((await poller.tick()).failed).toBe(0); // backoff not elapsed
    clock.advance(999);
    expect((await poller.tick()).failed).toBe(0);
    clock.advance(1);
    expect(await poller.tick()).toMatchObject({ fired: 0, failed: 1, parked: 0 });
    row = await store.get('flaky-1');
    expect(row).toMatchObject({ status: 'pending', attempts: 2, lastError: 'Error: vault unavailable (2)' });
    expect(row!.nextAttemptAt).toEqual(new Date(T0.getTime() + 1000 + 2000)); // doubled

    clock.advance(1999);
    expect((await poller.tick()).fired).toBe(0);
    clock.advance(1);
    expect(await poller.tick()).toMatchObject({ fired: 1, failed: 0, parked: 0 });
    row = await store.get('flaky-1');
    expect(row).toMatchObject({ status: 'fired', attempts: 2, lastError: 'Error: vault unavailable (2)', nextAttemptAt: null });
    expect(row!.firedAt).toEqual(clock.now());
    expect(attemptsSeen).toEqual([1, 2, 3]);

    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(2);
    expect(warnings[0]!.fields).toMatchObject({ deadlineId: 'flaky-1', kind: 'flaky', attempt: 1, error: 'Error: vault unavailable (1)' });
    expect(JSON.stringify(lines)).not.toContain('secret-tenant-payload');
  });

  it('parks a deadline whose handler always fails as failed after maxAttempts; requeue brings it back', async () => {
    let fail = true;
    let calls = 0;
    const { clock, store, poller, lines } = setup(
      {
        broken: async () => {
          calls += 1;
          if (fail) throw new Error('still broken');
        },
      },
      { maxAttempts: 3 },
    );
    await store.schedule('broken-1', T0, 'broken', null);
    const results = [];
    for (let i = 0; i < 5; i++) {
      results.push(await poller.tick());
      clock.advance(60_000);
    }
    expect(results).toMatchObject([
      { fired: 0, failed: 1, parked: 0 },
      { fired: 0, failed: 1, parked: 0 },
      { fired: 0, failed: 1, parked: 1 },
      { fired: 0, failed: 0, parked: 0 },
      { fired: 0, failed: 0, parked: 0 },
    ]);
    expect(calls).toBe(3);
    expect(await store.get('broken-1')).toMatchObject({ status: 'failed', attempts: 3, lastError: 'Error: still broken', nextAttemptAt: null });
    expect(await store.nextDueAt()).toBeNull();
    expect((await store.countByStatus()).failed).toBe(1);
    expect((await store.list({ status: 'failed' })).map((d) => d.id)).toEqual(['broken-1']);
    const parked = lines.filter((l) => l.level === 'error');
    expect(parked).toHaveLength(1);
    expect(parked[0]!.fields).toMatchObject({ deadlineId: 'broken-1', attempt: 3 });

    // A parked id is not revived by schedule(); ops requeue it once the cause is fixed.
    expect((await store.schedule('broken-1', T0, 'broken', null)).outcome).toBe('already-failed');
    expect((await store.requeue('unknown-id')).outcome).toBe('not-found');
    fail = false;
    const requeued = await store.requeue('broken-1');
    expect(requeued.outcome).toBe('requeued');
    expect(requeued.deadline).toMatchObject({ status: 'pending', attempts: 0, lastError: 'Error: still broken' });
    expect((await store.requeue('broken-1')).outcome).toBe('not-failed');
    expect(await poller.tick()).toEqual({ fired: 1, firedDeadlines: [{ id: 'broken-1', kind: 'broken' }], failed: 0, parked: 0 });
    expect((await store.get('broken-1'))!.status).toBe('fired');
  });

  it('treats an unknown kind as a failure: retried, then parked, never marked fired', async () => {
    const { clock, store, poller } = setup({ known: async () => undefined }, { maxAttempts: 2 });
    await store.schedule('orphan-1', T0, 'no-such-kind', null);
    await store.schedule('proto-1', T0, 'toString', null); // not fooled by Object.prototype
    expect(await poller.tick()).toMatchObject({ fired: 0, failed: 2, parked: 0 });
    clock.advance(1000);
    expect(await poller.tick()).toMatchObject({ fired: 0, failed: 2, parked: 2 });
    expect(await store.get('orphan-1')).toMatchObject({
      status: 'failed',
      attempts: 2,
      lastError: "UnknownDeadlineKindError: no handler registered for deadline kind 'no-such-kind'",
      firedAt: null,
    });
    expect((await store.get('proto-1'))!.status).toBe('failed');
  });

  it('stores only a bounded error name and message, never a thrown payload', async () => {
    const { store, poller, lines } = setup(
      {
        throwsPayload: async (d) => {
          throw d.payload; // a non-Error value: its content is not recorded
        },
        verbose: async () => {
          throw new TypeError(`x${'y'.repeat(5000)}\u0000`);
        },
      },
      { maxAttempts: 1 },
    );
    await store.schedule('tp-1', T0, 'throwsPayload', { secret: 'payload-secret' });
    await store.schedule('vb-1', T0, 'verbose', null);
    await poller.tick();
    expect((await store.get('tp-1'))!.lastError).toBe('non-Error value thrown (object)');
    const long = (await store.get('vb-1'))!.lastError!;
    expect(long.startsWith('TypeError: xyyy')).toBe(true);
    expect(long).toHaveLength(1000);
    expect(JSON.stringify(lines)).not.toContain('payload-secret');
  });

  it('computes the backoff delay with a cap', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffDelayMs(n, 1000, 5000))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(backoffDelayMs(5000, 1000, 5000)).toBe(5000);
    expect(() => new DeadlinePoller(pool, new ManualClock(T0), {}, { batchSize: 0 })).toThrow(RangeError);
    expect(() => new DeadlinePoller(pool, new ManualClock(T0), {}, { backoff: { baseMs: 10, maxMs: 5 } })).toThrow(RangeError);
  });
});

describe('DeadlinePoller: the claiming transaction', () => {
  it('commits what the handler writes on context.client with "fired", and rolls it back with a failure', async () => {
    let shouldFail = true;
    const { clock, store, poller } = setup({
      effect: async (d, { client, attempt }) => {
        await client.query('insert into side_effects values ($1, $2)', [d.id, `attempt ${attempt}`]);
        // A follow-up timer written atomically with this one firing.
        await store.scheduleInTx(client, `${d.id}/follow-up`, new Date(d.dueAt.getTime() + 1000), 'later', { from: d.id });
        if (shouldFail) throw new Error('after writing');
      },
    });
    await store.schedule('fx-1', T0, 'effect', null);
    expect((await poller.tick()).failed).toBe(1);
    expect(await sideEffects('fx-1')).toEqual([]);
    expect(await store.get('fx-1/follow-up')).toBeNull();

    shouldFail = false;
    clock.advance(1000);
    expect((await poller.tick()).fired).toBe(1);
    expect(await sideEffects('fx-1')).toEqual(['attempt 2']);
    expect(await store.get('fx-1/follow-up')).toMatchObject({ status: 'pending', kind: 'later', payload: { from: 'fx-1' } });
  });

  it('counts a handler that swallowed a failed query (aborted transaction) as failed', async () => {
    const { store, poller } = setup({
      sloppy: async (d, { client }) => {
        await client.query('insert into side_effects values ($1, $2)', [d.id, 'before']);
        await client.query('select * from no_such_table').catch(() => undefined);
      },
    });
    await store.schedule('sl-1', T0, 'sloppy', null);
    expect(await poller.tick()).toMatchObject({ fired: 0, failed: 1, parked: 0 });
    const row = await store.get('sl-1');
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row!.lastError).toContain('current transaction is aborted');
    expect(await sideEffects('sl-1')).toEqual([]);
  });

  it('leaves a deadline the handler rescheduled for itself pending (a recurring timer)', async () => {
    let runs = 0;
    const { clock, store, poller } = setup({
      every: async (d, { client }) => {
        runs += 1;
        if (runs < 3) await store.scheduleInTx(client, d.id, new Date(d.dueAt.getTime() + 60_000), 'every', { run: runs + 1 });
      },
    });
    await store.schedule('rec-1', T0, 'every', { run: 1 });
    expect((await poller.tick()).fired).toBe(1);
    expect(await store.get('rec-1')).toMatchObject({ status: 'pending', payload: { run: 2 } });
    expect((await poller.tick()).fired).toBe(0);
    clock.advance(60_000);
    expect((await poller.tick()).fired).toBe(1);
    clock.advance(60_000);
    expect((await poller.tick()).fired).toBe(1);
    expect(await store.get('rec-1')).toMatchObject({ status: 'fired', payload: { run: 3 } });
    expect(runs).toBe(3);
  });

  it('bounds a hanging handler: its connection is discarded, the attempt counted, the row retried', async () => {
    let lateQuery: Promise<unknown> | undefined;
    let mode: 'hang' | 'hang-in-db' | 'ok' = 'hang';
    const { clock, store, poller } = setup(
      {
        slow: async (d, { client, signal }) => {
          if (mode === 'hang') {
            await new Promise((resolve) => signal.addEventListener('abort', resolve));
            lateQuery = client.query('insert into side_effects values ($1, $2)', [d.id, 'too late']);
            return;
          }
          if (mode === 'hang-in-db') {
            await client.query('select pg_sleep(30)');
            return;
          }
          await client.query('insert into side_effects values ($1, $2)', [d.id, 'ok']);
        },
      },
      { handlerTimeoutMs: 300 },
    );
    await store.schedule('slow-1', T0, 'slow', null);

    expect(await poller.tick()).toMatchObject({ fired: 0, failed: 1, parked: 0 });
    await expect(lateQuery).rejects.toThrow(); // the discarded connection is not usable
    expect(await store.get('slow-1')).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'DeadlineHandlerTimeoutError: deadline handler did not finish within 300 ms',
    });

    // Stuck inside a query on the claiming connection: the session is terminated, the lock freed.
    mode = 'hang-in-db';
    clock.advance(1000);
    const started = process.hrtime.bigint();
    expect(await poller.tick()).toMatchObject({ fired: 0, failed: 1, parked: 0 });
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(5000);
    expect(await store.get('slow-1')).toMatchObject({ status: 'pending', attempts: 2 });
    const sleepers = await pool.query(`select count(*)::int as n from pg_stat_activity where query like 'select pg_sleep(30)%'`);
    expect(sleepers.rows[0].n).toBe(0);

    mode = 'ok';
    clock.advance(2000);
    expect((await poller.tick()).fired).toBe(1);
    expect(await sideEffects('slow-1')).toEqual(['ok']);
  });
});

describe('DeadlinePoller: several instances', () => {
  it('skips a row another instance is firing, and a cancel racing the firing reports the truth', async () => {
    let releaseGate!: () => void;
    const gate = new Promise<void>((resolve) => (releaseGate = resolve));
    let enteredGate!: () => void;
    const inGate = new Promise<void>((resolve) => (enteredGate = resolve));
    const fired: string[] = [];
    const clock = new ManualClock(T0);
    const store = new PostgresDeadlineStore(pool, clock);
    const handlers: DeadlineHandlers = {
      work: async (d) => {
        if (d.id === 'gated') {
          enteredGate();
          await gate;
        }
        fired.push(d.id);
      },
    };
    const first = new DeadlinePoller(pool, clock, handlers, { batchSize: 1 });
    const second = new DeadlinePoller(pool, clock, handlers);
    await store.schedule('gated', T0, 'work', null); // earliest: the first poller takes it
    await store.schedule('free-1', new Date(T0.getTime() + 1), 'work', null);
    await store.schedule('free-2', new Date(T0.getTime() + 2), 'work', null);
    clock.advance(10);

    const firstTick = first.tick();
    await inGate;
    expect(await second.tick()).toMatchObject({ fired: 2, failed: 0, parked: 0 }); // not blocked by 'gated'
    expect(fired).toEqual(['free-1', 'free-2']);

    const cancel = store.cancel('gated'); // waits for the row lock
    await sleep(100);
    releaseGate();
    expect(await firstTick).toEqual({ fired: 1, firedDeadlines: [{ id: 'gated', kind: expect.any(String) }], failed: 0, parked: 0 });
    expect((await cancel).outcome).toBe('already-fired');
    expect(fired).toEqual(['free-1', 'free-2', 'gated']);
  });

  it('two pollers on two pools fire 200 due deadlines exactly once between them', async () => {
    await pool.query('create table if not exists fired_log (deadline_id text not null, poller text not null)');
    const clock = new ManualClock(T0);
    const store = new PostgresDeadlineStore(pool, clock);
    const ids = Array.from({ length: 200 }, (_, i) => `bulk-${String(i).padStart(3, '0')}`);
    for (const [i, id] of ids.entries()) await store.schedule(id, new Date(T0.getTime() + (i % 7)), 'bulk', { i });
    clock.advance(1000);

    const invocations: string[] = [];
    const pools = [new pg.Pool({ connectionString: db.url, max: 3 }), new pg.Pool({ connectionString: db.url, max: 3 })];
    try {
      const pollers = pools.map(
        (p, n) =>
          new DeadlinePoller(
            p,
            clock,
            {
              bulk: async (d, { client }) => {
                invocations.push(d.id);
                await client.query('insert into fired_log values ($1, $2)', [d.id, `poller-${n}`]);
                await sleep(1);
              },
            },
            { batchSize: 10 },
          ),
      );
      const started = process.hrtime.bigint();
      const perPoller = await Promise.all(
        pollers.map(async (poller) => {
          let total = 0;
          for (let i = 0; i < 100; i++) {
            const r = await poller.tick();
            total += r.fired;
            expect(r.failed).toBe(0);
            if (r.fired === 0) break;
          }
          return total;
        }),
      );
      const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;

      expect(perPoller[0]! + perPoller[1]!).toBe(200);
      expect(perPoller[0]).toBeGreaterThan(0);
      expect(perPoller[1]).toBeGreaterThan(0);
      expect(invocations).toHaveLength(200);
      expect(new Set(invocations).size).toBe(200);
      const log = await pool.query<{ deadline_id: string; n: number }>(
        'select deadline_id, count(*)::int as n from fired_log group by deadline_id order by deadline_id',
      );
      expect(log.rows.map((r) => r.deadline_id)).toEqual(ids);
      expect(log.rows.every((r) => r.n === 1)).toBe(true);
      expect(await store.countByStatus()).toEqual({ pending: 0, fired: 200, cancelled: 0, failed: 0 });
      expect(elapsedMs).toBeLessThan(15_000);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('stop() lets the tick in progress finish and makes later ticks no-ops', async () => {
    let releaseGate!: () => void;
    const gate = new Promise<void>((resolve) => (releaseGate = resolve));
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => (entered = resolve));
    const { store, poller } = setup({
      slow: async () => {
        entered();
        await gate;
      },
    });
    await store.schedule('st-1', T0, 'slow', null);
    await store.schedule('st-2', T0, 'slow', null);
    const tick = poller.tick();
    await inHandler;
    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    await sleep(50);
    expect(stopped).toBe(false);
    releaseGate();
    await stopping;
    expect(await tick).toEqual({ fired: 1, firedDeadlines: [{ id: 'st-1', kind: expect.any(String) }], failed: 0, parked: 0 }); // st-2 was not claimed after stop()
    expect(await poller.tick()).toMatchObject({ fired: 0, failed: 0, parked: 0 });
    expect((await store.get('st-2'))!.status).toBe('pending');
  });
});
