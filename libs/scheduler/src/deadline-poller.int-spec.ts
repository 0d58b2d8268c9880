import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, type TestDatabase, reportIdleError, watchStatements } from '@lethe/testing';
import {
  DeadlineClaimLostError,
  DeadlineHandlerTimeoutError,
  DeadlinePoller,
  PostgresDeadlineStore,
  backoffDelayMs,
  schedulerMigrations,
  type DeadlineHandlers,
  type DeadlineLogger,
  type DeadlinePollerOptions,
} from './index.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const HOUR_MS = 3_600_000;
/** 96 rows drained by 16 loops: 57–58 claims when each loop ramps from one row, 29–33 when they share the size reached. */
const CLAIMS_FOR_A_BURST = 45;

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

// A test that fails while a handler waits at a gate must not leave its poller running into the next
// test (claiming its rows) or past pool.end(): every gate is opened and every poller stopped after each test.
const openGates = new Set<() => void>();
const livePollers = new Set<DeadlinePoller>();

class TrackedPoller extends DeadlinePoller {
  constructor(...args: ConstructorParameters<typeof DeadlinePoller>) {
    super(...args);
    livePollers.add(this);
  }
}

afterEach(async () => {
  for (const open of openGates) open();
  openGates.clear();
  await Promise.all([...livePollers].map((p) => p.stop()));
  livePollers.clear();
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
  const poller = new TrackedPoller(pool, clock, handlers, { backoff: { baseMs: 1000, maxMs: 60_000 }, logger, ...options });
  return { clock, store, poller, lines };
}

async function sideEffects(id: string): Promise<string[]> {
  const r = await pool.query<{ note: string }>('select note from side_effects where deadline_id = $1 order by note', [id]);
  return r.rows.map((row) => row.note);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
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

  it('retries a transient failure (a dependency down) with capped backoff for as long as it lasts, never parking; a permanent one still parks', async () => {
    class Unavailable extends Error {
      override name = 'Unavailable';
    }
    let outage = true;
    let permanent = false;
    let calls = 0;
    const { clock, store, poller, lines } = setup(
      {
        vaulty: async () => {
          calls += 1;
          if (permanent) throw new Error('refused');
          if (outage) throw new Unavailable('the dependency is down');
        },
      },
      { maxAttempts: 3, isTransient: (error) => error instanceof Unavailable },
    );
    await store.schedule('outage-1', T0, 'vaulty', null);
    // Six hours of outage, the clock moving a minute at a time: far more failures than maxAttempts.
    const delays: number[] = [];
    for (let t = 0; t < 6 * 60; t++) {
      const { failed, parked } = await poller.tick();
      expect(parked).toBe(0);
      if (failed === 1) {
        const row = (await store.get('outage-1'))!;
        delays.push(row.nextAttemptAt!.getTime() - clock.now().getTime());
      }
      clock.advance(60_000);
    }
    const row = (await store.get('outage-1'))!;
    expect(row).toMatchObject({ status: 'pending', attempts: 0, lastError: 'Unavailable: the dependency is down' });
    expect(calls).toBeGreaterThan(3);
    // 1 s, 2 s, 4 s … doubling up to the 60 s cap, then staying there.
    expect(delays.slice(0, 7)).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000]);
    expect(delays.every((d) => d <= 60_000)).toBe(true);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    expect(lines.at(-1)).toMatchObject({ level: 'warn', fields: { deadlineId: 'outage-1', transient: true } });

    // The dependency is back: fired at the next try, at most one capped delay later.
    outage = false;
    clock.advance(60_000);
    expect(await poller.tick()).toMatchObject({ fired: 1, failed: 0, parked: 0 });
    expect((await store.get('outage-1'))!.status).toBe('fired');

    // A permanent failure after an outage still gets its full budget of maxAttempts, then parks.
    permanent = true;
    await store.schedule('outage-2', clock.now(), 'vaulty', null);
    for (let i = 0; i < 3; i++) {
      await poller.tick();
      clock.advance(60_000);
    }
    expect(await store.get('outage-2')).toMatchObject({ status: 'failed', attempts: 3, lastError: 'Error: refused' });
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

  it('computes the backoff delay with a cap, and validates its options', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffDelayMs(n, 1000, 5000))).toEqual([1000, 2000, 4000, 5000, 5000]);
    expect(backoffDelayMs(5000, 1000, 5000)).toBe(5000);
    expect(() => new TrackedPoller(pool, new ManualClock(T0), {}, { batchSize: 0 })).toThrow(RangeError);
    expect(() => new TrackedPoller(pool, new ManualClock(T0), {}, { backoff: { baseMs: 10, maxMs: 5 } })).toThrow(RangeError);
    expect(() => new TrackedPoller(pool, new ManualClock(T0), {}, { leaseMs: 0 })).toThrow('leaseMs must be a positive number');
    expect(() => new TrackedPoller(pool, new ManualClock(T0), {}, { leaseMs: 99 })).toThrow('leaseMs must be from 100');
    expect(() => new TrackedPoller(pool, new ManualClock(T0), {}, { owner: ' ' })).toThrow('owner must be a non-empty string');
  });
});

/** The claim columns of a row, read straight from the table. */
async function claimOf(id: string) {
  const r = await pool.query<{ claimed_by: string | null; live: boolean | null; claim_token: string | null; revision: string }>(
    `select claimed_by, claimed_until > now() as live, claim_token, revision::text from lethe_deadlines where id = $1`,
    [id],
  );
  return r.rows[0];
}

/** Polls `condition` every 20 ms until it holds; fails after 5 s. */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (const until = Date.now() + 5_000; !(await condition()); ) {
    if (Date.now() > until) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A promise and its resolver, to hold a handler at a known point. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  openGates.add(open);
  return { wait, open };
}

describe('DeadlinePoller: claims', () => {
  it('runs the handler with no transaction open and no connection of the poller held', async () => {
    const app = 'lethe-deadline-poller-under-test';
    const pollerPool = new pg.Pool({ connectionString: db.url, max: 2, application_name: app });
    pollerPool.on('error', reportIdleError);
    try {
      const clock = new ManualClock(T0);
      const store = new PostgresDeadlineStore(pool, clock);
      const seen: { checkedOut: number; busy: number; claim: Awaited<ReturnType<typeof claimOf>> }[] = [];
      const poller = new TrackedPoller(
        pollerPool,
        clock,
        {
          observe: async (d) => {
            // Asked on another pool: is any backend of the poller's pool inside a transaction, holding
            // an xid or a snapshot (which would hold back the server's xmin horizon)?
            const activity = await pool.query<{ busy: number }>(
              `select count(*)::int as busy from pg_stat_activity
                where application_name = $1 and datname = current_database()
                  and (state <> 'idle' or backend_xid is not null or backend_xmin is not null)`,
              [app],
            );
            seen.push({ checkedOut: pollerPool.totalCount - pollerPool.idleCount, busy: activity.rows[0]!.busy, claim: await claimOf(d.id) });
          },
        },
        { owner: 'poller-under-test' },
      );
      await store.schedule('quiet-1', T0, 'observe', null);
      await store.schedule('quiet-2', T0, 'observe', null);
      expect(await poller.tick()).toMatchObject({ fired: 2, failed: 0 });
      expect(seen).toHaveLength(2);
      for (const s of seen) {
        expect(s).toMatchObject({ checkedOut: 0, busy: 0, claim: { claimed_by: 'poller-under-test', live: true } });
        expect(s.claim!.claim_token).toMatch(/^[0-9a-f-]{36}$/);
      }
      expect(seen[0]!.claim!.claim_token).not.toBe(seen[1]!.claim!.claim_token);
      // The outcome clears the claim.
      expect(await claimOf('quiet-1')).toMatchObject({ claimed_by: null, live: null, claim_token: null });
    } finally {
      await pollerPool.end();
    }
  });

  it('keeps a deadline the handler rescheduled pending at the new time (a recurring timer), with a fresh attempt budget', async () => {
    let runs = 0;
    const { clock, store, poller } = setup({
      every: async (d, { rescheduleAt, attempt }) => {
        runs += 1;
        if (runs === 1) throw new Error('first try fails');
        if (runs < 4) rescheduleAt(new Date(d.dueAt.getTime() + 60_000), { run: runs + 1, attempt });
      },
    });
    await store.schedule('rec-1', T0, 'every', { run: 1 });
    expect((await poller.tick()).failed).toBe(1);
    clock.advance(1000);
    expect(await poller.tick()).toEqual({ fired: 1, firedDeadlines: [{ id: 'rec-1', kind: 'every' }], failed: 0, parked: 0 });
    expect(await store.get('rec-1')).toMatchObject({
      status: 'pending',
      dueAt: new Date(T0.getTime() + 60_000),
      payload: { run: 3, attempt: 2 },
      attempts: 0,
      lastError: null,
      nextAttemptAt: null,
      firedAt: null,
    });
    expect(await claimOf('rec-1')).toMatchObject({ claimed_by: null, claim_token: null });
    expect((await poller.tick()).fired).toBe(0); // not due before its new time
    clock.set(new Date(T0.getTime() + 60_000));
    expect((await poller.tick()).fired).toBe(1);
    expect(await store.get('rec-1')).toMatchObject({ status: 'pending', dueAt: new Date(T0.getTime() + 120_000), payload: { run: 4, attempt: 1 } });
    clock.set(new Date(T0.getTime() + 120_000));
    expect((await poller.tick()).fired).toBe(1);
    expect(await store.get('rec-1')).toMatchObject({ status: 'fired', payload: { run: 4, attempt: 1 } });
    expect(runs).toBe(4);
  });

  it('drops a reschedule whose handler then fails, keeps the payload when none is given, and rejects a bad date', async () => {
    let mode: 'reschedule-then-throw' | 'reschedule-same-payload' | 'bad-date' = 'reschedule-then-throw';
    const { clock, store, poller } = setup({
      later: async (d, { rescheduleAt }) => {
        if (mode === 'bad-date') return rescheduleAt(new Date('not a date'));
        rescheduleAt(new Date(d.dueAt.getTime() + HOUR_MS));
        if (mode === 'reschedule-then-throw') throw new Error('failed after rescheduling');
      },
    });
    await store.schedule('later-1', T0, 'later', { keep: 'me' });
    expect((await poller.tick()).failed).toBe(1);
    expect(await store.get('later-1')).toMatchObject({ status: 'pending', dueAt: T0, attempts: 1, lastError: 'Error: failed after rescheduling' });

    mode = 'reschedule-same-payload';
    clock.advance(1000);
    expect((await poller.tick()).fired).toBe(1);
    expect(await store.get('later-1')).toMatchObject({ status: 'pending', dueAt: new Date(T0.getTime() + HOUR_MS), payload: { keep: 'me' }, attempts: 0 });

    mode = 'bad-date';
    clock.set(new Date(T0.getTime() + HOUR_MS));
    expect((await poller.tick()).failed).toBe(1);
    expect((await store.get('later-1'))!.lastError).toBe('TypeError: rescheduleAt: at must be a valid Date');
  });

  it('bounds a hanging handler: its signal is aborted, the attempt counted, the claim cleared, the row retried', async () => {
    let mode: 'hang' | 'ok' = 'hang';
    let finishedLate: (() => void) | undefined;
    const lateFinish = new Promise<void>((resolve) => (finishedLate = resolve));
    let abortReason: unknown;
    const { clock, store, poller } = setup(
      {
        slow: async (d, { signal, rescheduleAt }) => {
          if (mode === 'hang') {
            await new Promise((resolve) => signal.addEventListener('abort', resolve));
            abortReason = signal.reason;
            // A handler that goes on after the abort changes nothing any more.
            await sleep(50);
            rescheduleAt(new Date(T0.getTime() + 999_999));
            finishedLate!();
            return;
          }
          await pool.query('insert into side_effects values ($1, $2)', [d.id, 'ok']);
        },
      },
      { handlerTimeoutMs: 300 },
    );
    await store.schedule('slow-1', T0, 'slow', null);

    const started = process.hrtime.bigint();
    expect(await poller.tick()).toMatchObject({ fired: 0, failed: 1, parked: 0 });
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(3000);
    expect(abortReason).toBeInstanceOf(DeadlineHandlerTimeoutError);
    await lateFinish;
    await sleep(50);
    expect(await store.get('slow-1')).toMatchObject({
      status: 'pending',
      dueAt: T0,
      attempts: 1,
      lastError: 'DeadlineHandlerTimeoutError: deadline handler did not finish within 300 ms',
    });
    expect(await claimOf('slow-1')).toMatchObject({ claimed_by: null, claim_token: null });

    mode = 'ok';
    clock.advance(1000);
    expect((await poller.tick()).fired).toBe(1);
    expect(await sideEffects('slow-1')).toEqual(['ok']);
  });

  it('takes over a row whose claim expired, counting a failed attempt; skips a live claim; parks after maxAttempts', async () => {
    const attempts: number[] = [];
    const { store, poller, lines } = setup({ work: async (_d, { attempt }) => void attempts.push(attempt) }, { maxAttempts: 3, owner: 'survivor' });
    await store.schedule('abandoned', T0, 'work', { secret: 'payload-secret' });
    await store.schedule('held', T0, 'work', null);
    await store.schedule('doomed', T0, 'work', null);
    // Claims left by instances that died (expired) or are still running (live).
    const claim = (id: string, until: string, attemptsSoFar: number) =>
      pool.query(
        `update lethe_deadlines set claimed_by = 'gone-instance', claimed_until = now() + $2::interval, claim_token = gen_random_uuid(), attempts = $3
          where id = $1`,
        [id, until, attemptsSoFar],
      );
    await claim('abandoned', '-1 second', 0);
    await claim('held', '1 hour', 0);
    await claim('doomed', '-1 millisecond', 2);

    expect(await poller.tick()).toEqual({ fired: 1, firedDeadlines: [{ id: 'abandoned', kind: 'work' }], failed: 1, parked: 1 });
    expect(attempts).toEqual([2]); // the expired run was attempt 1
    expect(await store.get('abandoned')).toMatchObject({
      status: 'fired',
      attempts: 1,
      lastError: 'DeadlineClaimExpiredError: the claim of an earlier run expired before it recorded an outcome (its instance stopped or hung)',
    });
    expect(await store.get('held')).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await claimOf('held')).toMatchObject({ claimed_by: 'gone-instance', live: true });
    // Its third run expired too: parked without running the handler again.
    expect(await store.get('doomed')).toMatchObject({ status: 'failed', attempts: 3, lastError: expect.stringMatching(/^DeadlineClaimExpiredError: /) });
    expect(await claimOf('doomed')).toMatchObject({ claimed_by: null, claim_token: null });
    const text = JSON.stringify(lines);
    expect(text).toContain('deadline claim expired; taken over');
    expect(text).not.toContain('gone-instance');
    expect(text).not.toContain('survivor');
    expect(text).not.toContain('payload-secret');
  });

  it('a stale runner cannot record an outcome: once its claim expired and was taken over, "fired" goes to the new owner only', async () => {
    const clock = new ManualClock(T0);
    const store = new PostgresDeadlineStore(pool, clock);
    const runs: string[] = [];
    const staleGate = gate();
    const staleIn = gate();
    const freshGate = gate();
    const freshIn = gate();
    const stale = new TrackedPoller(pool, clock, {
      work: async (d) => {
        runs.push('stale');
        staleIn.open();
        await staleGate.wait;
        await pool.query('insert into side_effects values ($1, $2)', [d.id, 'stale']);
      },
    }, { owner: 'stale' });
    const fresh = new TrackedPoller(pool, clock, {
      work: async (d) => {
        runs.push('fresh');
        freshIn.open();
        await freshGate.wait;
        await pool.query('insert into side_effects values ($1, $2)', [d.id, 'fresh']);
      },
    }, { owner: 'fresh' });
    await store.schedule('contested', T0, 'work', null);

    const staleTick = stale.tick();
    await staleIn.wait;
    // The stale runner hangs past its lease (as if its process were frozen): its claim expires.
    await pool.query(`update lethe_deadlines set claimed_until = now() - interval '1 millisecond' where id = 'contested'`);
    const freshTick = fresh.tick();
    await freshIn.wait;
    expect(await claimOf('contested')).toMatchObject({ claimed_by: 'fresh', live: true });

    staleGate.open(); // the stale handler succeeds, but its outcome is dropped
    expect(await staleTick).toEqual({ fired: 0, firedDeadlines: [], failed: 1, parked: 0 });
    expect(await store.get('contested')).toMatchObject({ status: 'pending', attempts: 1, firedAt: null });
    expect(await claimOf('contested')).toMatchObject({ claimed_by: 'fresh', live: true });

    freshGate.open();
    expect(await freshTick).toMatchObject({ fired: 1, failed: 0 });
    expect(await store.get('contested')).toMatchObject({ status: 'fired', attempts: 1 });
    expect(runs).toEqual(['stale', 'fresh']);
    expect(await sideEffects('contested')).toEqual(['fresh', 'stale']); // the handler dedupes on the id; the row fired once
  });

  it('aborts a handler whose renewal finds its claim taken over', async () => {
    let reason: unknown;
    const { store, poller, lines } = setup(
      {
        work: async (_d, { signal }) => {
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
          reason = signal.reason;
        },
      },
      { leaseMs: 1200 }, // renewals every 400 ms: one finds the intruder long before a loaded machine could let the lease lapse
    );
    await store.schedule('taken', T0, 'work', null);
    const tick = poller.tick();
    await waitUntil(async () => (await claimOf('taken'))?.claimed_by != null);
    await pool.query(`update lethe_deadlines set claimed_by = 'intruder', claim_token = gen_random_uuid() where id = 'taken'`);
    expect(await tick).toMatchObject({ fired: 0, failed: 1 });
    expect(reason).toBeInstanceOf(DeadlineClaimLostError);
    // Nothing recorded by the loser: the intruder's claim and the attempt count stand.
    expect(await store.get('taken')).toMatchObject({ status: 'pending', attempts: 0, lastError: null });
    expect(await claimOf('taken')).toMatchObject({ claimed_by: 'intruder' });
    expect(lines.map((l) => l.message)).toContain('deadline claim was taken over while its handler ran; handler aborted');
  });

  it('aborts a handler whose claim could not be renewed within its lease (renewals stuck), and counts the attempt', async () => {
    let reason: unknown;
    const { store, poller } = setup(
      {
        work: async (_d, { signal }) => {
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
          reason = signal.reason;
        },
      },
      { leaseMs: 600 },
    );
    await store.schedule('stuck', T0, 'work', null);
    const blocker = await pool.connect();
    try {
      const tick = poller.tick();
      await waitUntil(async () => (await claimOf('stuck'))?.claimed_by != null);
      // Renewals wait behind this row lock (as they would on an unreachable server).
      await blocker.query('begin');
      await blocker.query(`select 1 from lethe_deadlines where id = 'stuck' for update`);
      await waitUntil(async () => reason !== undefined, 3000);
      expect(reason).toBeInstanceOf(DeadlineClaimLostError);
      await blocker.query('rollback');
      expect(await tick).toMatchObject({ fired: 0, failed: 1 });
      // Nobody took it over meanwhile, so the claim was still ours: the attempt is recorded.
      expect(await store.get('stuck')).toMatchObject({
        status: 'pending',
        attempts: 1,
        lastError: 'DeadlineClaimLostError: the claim on this deadline was lost while its handler ran',
      });
    } finally {
      await blocker.query('rollback').catch(() => undefined);
      blocker.release();
    }
  });
});

describe('DeadlinePoller: several instances', () => {
  it('skips a row another instance is firing; a cancel meanwhile does not wait and stands', async () => {
    const held = gate();
    const inGate = gate();
    const fired: string[] = [];
    const clock = new ManualClock(T0);
    const store = new PostgresDeadlineStore(pool, clock);
    const handlers: DeadlineHandlers = {
      work: async (d) => {
        if (d.id === 'gated') {
          inGate.open();
          await held.wait;
        }
        fired.push(d.id);
      },
    };
    const first = new TrackedPoller(pool, clock, handlers, { batchSize: 1 });
    const second = new TrackedPoller(pool, clock, handlers);
    await store.schedule('gated', T0, 'work', null); // earliest: the first poller takes it
    await store.schedule('free-1', new Date(T0.getTime() + 1), 'work', null);
    await store.schedule('free-2', new Date(T0.getTime() + 2), 'work', null);
    clock.advance(10);

    const firstTick = first.tick();
    await inGate.wait;
    const claimed = await pool.query<{ id: string }>('select id from lethe_deadlines where claim_token is not null order by id');
    expect(claimed.rows.map((r) => r.id)).toEqual(['gated']); // batchSize 1: the first poller holds one row
    expect(await second.tick()).toMatchObject({ fired: 2, failed: 0, parked: 0 }); // not blocked by 'gated'
    expect(fired).toEqual(['free-1', 'free-2']);

    const cancelled = await store.cancel('gated'); // answers while the handler still runs
    expect(cancelled.outcome).toBe('cancelled');
    expect(fired).toEqual(['free-1', 'free-2']);
    held.open();
    expect(await firstTick).toMatchObject({ fired: 1, failed: 0, parked: 0 });
    expect(fired).toEqual(['free-1', 'free-2', 'gated']);
    // The cancel stands: the row is cancelled, never fired, and its claim is released.
    expect(await store.get('gated')).toMatchObject({ status: 'cancelled', firedAt: null });
    expect(await claimOf('gated')).toMatchObject({ claimed_by: null, claim_token: null });
    clock.advance(HOUR_MS);
    expect((await second.tick()).fired).toBe(0);
  });

  it('claims rows together when they fire quickly, and hands back the ones waiting behind a slow handler while it runs', async () => {
    const held = gate();
    const inGate = gate();
    const fired: string[] = [];
    const clock = new ManualClock(T0);
    const store = new PostgresDeadlineStore(pool, clock);
    const handlers: DeadlineHandlers = {
      work: async (d) => {
        if (d.id === 'b-slow') {
          inGate.open();
          await held.wait;
        }
        fired.push(d.id);
      },
    };
    const first = new TrackedPoller(pool, clock, handlers);
    const second = new TrackedPoller(pool, clock, handlers);
    // Given four due rows: a quick one, then a slow one claimed with the two after it
    for (const [i, id] of ['a-quick', 'b-slow', 'c-behind', 'd-behind'].entries()) await store.schedule(id, new Date(T0.getTime() + i), 'work', null);
    clock.advance(10);
    const claims = () => pool.query<{ id: string }>('select id from lethe_deadlines where claim_token is not null order by id');

    // When the first poller's second claim (two rows: it doubles after a quick one) reaches the slow row
    const firstTick = first.tick();
    await inGate.wait;
    expect((await claims()).rows.map((r) => r.id)).toEqual(['b-slow', 'c-behind']);
    // Then the row claimed behind it is handed back within CLAIM_HOLD_MS, while the slow handler still runs,
    await waitFor(async () => (await claims()).rows.length === 1);
    // and another poller fires it and the rest.
    expect(await second.tick()).toMatchObject({ fired: 2, failed: 0 });
    held.open();
    expect(await firstTick).toMatchObject({ fired: 2, failed: 0 });
    expect(fired).toEqual(['a-quick', 'c-behind', 'd-behind', 'b-slow']);
    for (const id of ['a-quick', 'b-slow', 'c-behind', 'd-behind']) expect(await store.get(id)).toMatchObject({ status: 'fired', attempts: 0, lastError: null });
  });

  it('two pollers with a short lease never run one row at once, even when handlers outlast several leases', async () => {
    const clock = new ManualClock(T0);
    const store = new PostgresDeadlineStore(pool, clock);
    const ids = Array.from({ length: 6 }, (_, i) => `long-${i}`);
    for (const id of ids) await store.schedule(id, T0, 'long', null);
    const active = new Set<string>();
    const overlaps: string[] = [];
    const runs: string[] = [];
    const handlers: DeadlineHandlers = {
      long: async (d, { signal }) => {
        if (active.has(d.id)) overlaps.push(d.id);
        active.add(d.id);
        runs.push(d.id);
        await sleep(1300); // more than two leases of 600 ms: only renewals keep the claim
        active.delete(d.id);
        if (signal.aborted) throw signal.reason;
      },
    };
    const pollers = ['a', 'b'].map((owner) => new TrackedPoller(pool, clock, handlers, { owner, leaseMs: 600 }));
    const results = await Promise.all(pollers.map((p) => p.tick()));
    expect(results[0]!.fired + results[1]!.fired).toBe(6);
    expect(results.every((r) => r.fired > 0 && r.failed === 0)).toBe(true);
    expect(overlaps).toEqual([]);
    expect([...runs].sort()).toEqual(ids);
    for (const id of ids) expect(await store.get(id)).toMatchObject({ status: 'fired', attempts: 0, lastError: null });
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
          new TrackedPoller(
            p,
            clock,
            {
              bulk: async (d) => {
                invocations.push(d.id);
                await p.query('insert into fired_log values ($1, $2)', [d.id, `poller-${n}`]);
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

  it("writes the successes of a claim's rows in one statement: fired, rescheduled by the handler, or left as a concurrent schedule() set them", async () => {
    // Given seven due rows, a handler that reschedules one and a schedule() that moves another meanwhile
    const clock = new ManualClock(T0);
    const store = new PostgresDeadlineStore(pool, clock);
    const ids = Array.from({ length: 7 }, (_, i) => `w-${i}`);
    for (const [i, id] of ids.entries()) await store.schedule(id, new Date(T0.getTime() + i), 'work', { i });
    clock.advance(10);
    const later = new Date(T0.getTime() + HOUR_MS);
    const counted = new pg.Pool({ connectionString: db.url, max: 3 });
    counted.on('error', reportIdleError);
    const statements = watchStatements(counted);
    const outcomeWrites = () => statements.texts.filter((text) => /^\s*update lethe_deadlines/.test(text) && !text.includes('claimed_by = $2'));
    try {
      const poller = new TrackedPoller(counted, clock, {
        work: async (d, { rescheduleAt }) => {
          if (d.id === 'w-4') rescheduleAt(later, { again: true });
          if (d.id === 'w-5') await store.schedule('w-5', later, 'work', { moved: true });
        },
      });
      // When one tick fires them (claims of 1, 2 and 4 rows)
      const result = await poller.tick();
      // Then every row is accounted for, in due order, with one outcome statement per claim
      expect(result).toMatchObject({ fired: 7, failed: 0, parked: 0 });
      expect(result.firedDeadlines.map((d) => d.id)).toEqual(ids);
      const releases = outcomeWrites().filter((text) => /^\s*update lethe_deadlines set claimed_by = null/.test(text));
      expect(outcomeWrites().length - releases.length).toBe(3);
      expect(releases).toHaveLength(1); // w-5's claim only: schedule() changed the row, its change stands
      for (const id of ['w-0', 'w-1', 'w-2', 'w-3', 'w-6']) expect(await store.get(id)).toMatchObject({ status: 'fired', firedAt: clock.now() });
      expect(await store.get('w-4')).toMatchObject({ status: 'pending', dueAt: later, payload: { again: true }, attempts: 0 });
      expect(await store.get('w-5')).toMatchObject({ status: 'pending', dueAt: later, payload: { moved: true } });
      for (const id of ids) expect(await claimOf(id)).toMatchObject({ claimed_by: null, claim_token: null });
    } finally {
      await counted.end();
    }
  });

  /** A poller of quick handlers on its own pool, whose claim statements are counted. */
  async function withCountedClaims(test: (it: { poller: DeadlinePoller; store: PostgresDeadlineStore; claims: () => number; clear: () => void }) => Promise<void>) {
    const counted = new pg.Pool({ connectionString: db.url, max: 6 });
    counted.on('error', reportIdleError);
    const statements = watchStatements(counted);
    try {
      const clock = new ManualClock(T0);
      await test({
        poller: new TrackedPoller(counted, clock, { work: async () => undefined }),
        store: new PostgresDeadlineStore(pool, clock),
        claims: () => statements.count(/claimed_by = \$2/),
        clear: () => statements.clear(),
      });
    } finally {
      await counted.end();
    }
  }

  it('drains with claim loops added only as claims find rows: nothing due is one claim, one due row three', async () => {
    await withCountedClaims(async ({ poller, store, claims, clear }) => {
      // Given nothing due, when a drain of 16 loops runs, then it costs one claim
      expect(await poller.drain(16)).toEqual({ fired: 0, firedDeadlines: [], failed: 0, parked: 0 });
      expect(claims()).toBe(1);
      // Given one due row: its claim, a second loop's empty claim, and the first loop's last one
      await store.schedule('d-1', T0, 'work', null);
      clear();
      expect(await poller.drain(16)).toMatchObject({ fired: 1, firedDeadlines: [{ id: 'd-1', kind: 'work' }] });
      expect(claims()).toBe(3);
    });
  });

  it('drains a burst of due rows in few claims: a loop added mid-burst starts at the claim size the others reached', async () => {
    await withCountedClaims(async ({ poller, store, claims, clear }) => {
      // Given 96 rows due at once, each firing quickly
      const ids = Array.from({ length: 96 }, (_, i) => `b-${String(i).padStart(2, '0')}`);
      for (const id of ids) await store.schedule(id, T0, 'work', null);
      clear();
      // When a drain of 16 loops runs
      const result = await poller.drain(16);
      // Then each fired once, in claims of several rows (loops each ramping from one row make many claims of 1 and 2)
      expect(result.fired).toBe(96);
      expect([...result.firedDeadlines.map((d) => d.id)].sort()).toEqual(ids);
      expect(claims()).toBeLessThanOrEqual(CLAIMS_FOR_A_BURST);
    });
  });

  it('drains a fleet of due rows with loops side by side, each row fired once, and reports a failing loop after the others ended', async () => {
    // Given 60 due rows whose handlers each take a little while
    let inFlight = 0;
    let mostInFlight = 0;
    const { store, poller, clock } = setup({
      work: async (d) => {
        mostInFlight = Math.max(mostInFlight, ++inFlight);
        await sleep(5);
        await pool.query('insert into side_effects values ($1, $2)', [d.id, 'ran']);
        inFlight--;
      },
    });
    const ids = Array.from({ length: 60 }, (_, i) => `f-${String(i).padStart(2, '0')}`);
    for (const id of ids) await store.schedule(id, T0, 'work', null);
    // When one drain of 4 loops runs
    const result = await poller.drain(4);
    // Then every row fired exactly once, up to 4 at a time and more than one at a time
    expect(result.fired).toBe(60);
    expect(result.error).toBeUndefined();
    expect([...result.firedDeadlines.map((d) => d.id)].sort()).toEqual(ids);
    const ran = await pool.query<{ n: string }>("select count(distinct deadline_id) as n, count(*) as total from side_effects where note = 'ran'");
    expect(ran.rows[0]).toEqual({ n: '60', total: '60' });
    expect(mostInFlight).toBeGreaterThan(1);
    expect(mostInFlight).toBeLessThanOrEqual(4);
    // Given a pool that refuses every statement: the drain still resolves, naming the failure
    await store.schedule('f-late', clock.now(), 'work', null);
    const ended = new pg.Pool({ connectionString: db.url, max: 1 });
    await ended.end();
    const failed = await new TrackedPoller(ended, clock, { work: async () => undefined }).drain(4);
    expect(failed).toMatchObject({ fired: 0, failed: 0 });
    expect((failed.error as Error).message).toMatch(/after calling end/);
    await expect(poller.drain(0)).rejects.toThrow(RangeError);
  });

  it('stop() lets the tick in progress finish and makes later ticks no-ops', async () => {
    const held = gate();
    const inHandler = gate();
    const { store, poller } = setup({
      slow: async () => {
        inHandler.open();
        await held.wait;
      },
    });
    await store.schedule('st-1', T0, 'slow', null);
    await store.schedule('st-2', T0, 'slow', null);
    const tick = poller.tick();
    await inHandler.wait;
    let stopped = false;
    const stopping = poller.stop().then(() => (stopped = true));
    await sleep(50);
    expect(stopped).toBe(false);
    held.open();
    await stopping;
    expect(await tick).toEqual({ fired: 1, firedDeadlines: [{ id: 'st-1', kind: expect.any(String) }], failed: 0, parked: 0 }); // st-2 was not claimed after stop()
    expect(await poller.tick()).toMatchObject({ fired: 0, failed: 0, parked: 0 });
    expect((await store.get('st-2'))!.status).toBe('pending');
  });
});
