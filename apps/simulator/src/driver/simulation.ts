// The fleet simulator's driver: the real engine (a child process on a real PostgreSQL, manual clock)
// taken through the plan's years. Each step:
//   1. let processors reach the log's head and every due timer fire (firing may make more due);
//   2. apply the plan's facts of this instant (tenants side by side, each tenant's facts in order);
//   3. settle again, feed the oracle the new events and the vault's state, keep its violations;
//   4. move the clock to the next instant that matters: a fact, a due timer, an outage's edge, a
//      crash, a key detection after a client's rotation, and never more than MAX_STEP_MS ahead.
// A crash (`crash` fault) kills the engine with SIGKILL while it fires the step's timers, and starts
// it again; the stored manual clock resumes where it was.
import { randomBytes, randomInt } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { FleetFact, FleetPlan, Margins, Violation } from '../fleet/fleet-facts.js';
import { installVaultChangeFeed, MAX_STEP_MS, Oracle, readEventsAfter, RETIRED_KEY_GRACE_DAYS, VaultReader } from '../oracle/index.js';
import { API_ROLES, type ApiRole } from '../../../engine/src/config/engine-config.js';
import { applyFact, type FactOutcome } from './apply-fact.js';
import { openCheckpointSignal, type CheckpointSignal } from './checkpoint-signal.js';
import { engineApi, type EngineApi } from './engine-api.js';
import { EngineStartAbortedError, startEngineChild, type EngineChild } from './engine-child.js';
import { openSimulationDatabase } from './simulation-database.js';
import { vacuumStandIn } from './vacuum-stand-in.js';

const HOUR_MS = 3_600_000;
/**
 * Simulated time between the vault detection runs of a key ring (LETHE_KEY_DETECTION_MS). Every ring's
 * check is a timer the clock steps through, so the interval sets much of a long run's cost: 1,000 rings
 * checked hourly was most of a 10-year run's wall time. 20 hours leaves a version created in the vault 4
 * of the 24 hours the oracle allows from its creation there (stricter than P2, which counts from
 * detection); a check that meets a vault outage is retried 5 minutes later (DETECTION_RETRY_MS), so an
 * outage costs its own length, which the oracle allows on top.
 */
const KEY_DETECTION_MS = 20 * HOUR_MS;
/**
 * Tenants whose facts of one instant are applied at the same time. A ten-year fleet's daily report
 * holds several hundred backups: more side by side fill the processors' pages and the vault's gathered
 * reads (96 against 32 on a 200-tenant year: within the spread of runs; its days hold few facts).
 */
const FACT_CONCURRENCY = 64;
/** Real time a step may take to settle (processors at the head, no timer due) before the run is called stuck. */
const SETTLE_TIMEOUT_MS = 180_000;
/**
 * The longest real time between two looks at whether the engine settled: a look is made whenever a
 * checkpoint moves, and at least this often (a processor retrying an event moves none).
 */
const SETTLE_LOOK_MAX_MS = 50;
/** Rows a read of the log returns. */
const EVENT_PAGE = 2000;

export interface SimulationOptions {
  readonly plan: FleetPlan;
  /** LETHE_SABOTAGE for the engine: a known defect the oracle must catch. */
  readonly sabotage?: string;
  /** A server to run on (a fresh database is created on it); undefined: an embedded PostgreSQL. */
  readonly databaseUrl?: string;
  /** The run's folder: the engine's data and log (engine.log), violations as found (violations.jsonl), the embedded server, the report. */
  readonly outDir: string;
  /** Keep the run's database afterwards (on DATABASE_URL's server). */
  readonly keepDatabase?: boolean;
  /** Called after each step (the progress bar). */
  readonly onStep?: (progress: SimulationProgress) => void;
  /** Called once the run's database exists, with its description (server and name, no credentials). */
  readonly onDatabase?: (description: string) => void;
  /** Aborted (Ctrl-C): the run stops at the next step, stops the engine and drops its database, and rejects with SimulationInterruptedError. */
  readonly signal?: AbortSignal;
}

/** The run was stopped by its caller (options.signal) before its end; the engine was stopped and its database dropped. */
export class SimulationInterruptedError extends Error {
  constructor(readonly at: Date) {
    super(`the simulation was interrupted at simulated ${at.toISOString()}`);
    this.name = 'SimulationInterruptedError';
  }
}

export interface SimulationProgress {
  readonly now: Date;
  readonly events: number;
  readonly violations: number;
  readonly wallMs: number;
}

/** An answer the API's contract does not give for the call (counted by fact kind and status). */
export interface UnexpectedAnswer {
  readonly kind: FleetFact['kind'];
  readonly status: string;
  readonly count: number;
  readonly example: string;
}

export interface SimulationResult {
  /** `vaultOutages`: the stretches of vault failure the plan holds (the `vault` fault's occasions). */
  readonly plan: { readonly seed: number; readonly start: string; readonly end: string; readonly tenants: number; readonly facts: number; readonly vaultOutages: number };
  readonly sabotage: string | null;
  readonly database: string;
  readonly violations: readonly Violation[];
  readonly margins: Margins;
  readonly counts: Readonly<Record<string, number>>;
  readonly unexpectedAnswers: readonly UnexpectedAnswer[];
  /** Facts the engine answered 503 to and that were applied again at a later step. */
  readonly factRetries: number;
  readonly crashes: number;
  readonly steps: number;
  /**
   * What each clock move stopped on (the earliest of them): `fact`, `timer:<kind>`, `daily` (the longest
   * step), `outage` (an edge), `crash`, `retry` (facts answered 503), `key-detection`, `end`.
   */
  readonly stepsByReason: Readonly<Record<string, number>>;
  readonly eventsAppended: number;
  readonly wallMs: number;
  /** Wall time (ms) each simulated year took, in order (the last may be partial). */
  readonly wallMsPerYear: readonly number[];
  /**
   * Where the wall time went (ms): applying facts, waiting for the engine to settle, the oracle's reads
   * and checks, moving the clock (timers firing) and restarts, and vacuuming for a server with autovacuum off.
   */
  readonly wallMsByPhase: { readonly facts: number; readonly settle: number; readonly oracle: number; readonly clock: number; readonly vacuum: number };
  /** Tables the simulator vacuumed because the server's autovacuum is off (null: it is on, and did it). */
  readonly standInVacuums: number | null;
  /** Peak resident set sizes (bytes): the engine (the largest of its incarnations) and the simulator itself. */
  readonly peakRss: { readonly engine: number | null; readonly simulator: number };
}

/** Runs `options.plan` to its end. @throws when the engine cannot start or a step never settles (not a violation: the run is broken). */
export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const { plan } = options;
  mkdirSync(options.outDir, { recursive: true });
  const started = performance.now();
  const database = await openSimulationDatabase(options.databaseUrl, options.outDir);
  options.onDatabase?.(database.description);
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  pool.on('error', () => undefined); // an idle client lost with a crash is replaced on the next query
  const masterKey = randomBytes(32);
  const tokens = Object.fromEntries(API_ROLES.map((r) => [r, randomBytes(24).toString('hex')])) as Record<ApiRole, string>;
  const env: Record<string, string> = {
    DATABASE_URL: database.url,
    LETHE_DATA_DIR: join(options.outDir, 'engine'),
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: plan.start,
    LETHE_MASTER_KEY: masterKey.toString('base64'),
    LETHE_TOKENS: API_ROLES.map((r) => `${r}:${tokens[r]}`).join(','),
    LETHE_INSTANCE_ID: 'simulated',
    LETHE_LOG_LEVEL: 'warn',
    // The driver fires what is due itself: every clock move fires it, and settling moves the clock
    // again while anything is due (a timer scheduled for now, a retry, a dead engine's lapsed claim).
    // The poller's own interval is only a safety net here; at 200 ms its 16 claim loops were a steady
    // 80 queries a second of the engine's and PostgreSQL's CPU.
    LETHE_DEADLINE_POLL_MS: '10000',
    // Every step waits for every checkpoint to reach the head: passed-over events are recorded at once.
    LETHE_PROCESSOR_SKIP_FLUSH_MS: '2',
    // A fleet's timers fall due together (a step fires a day of them): claim loops side by side.
    LETHE_DEADLINE_CONCURRENCY: '16',
    // A killed engine's deadline claims lapse after this much real time, so its restart takes them over.
    LETHE_DEADLINE_LEASE_MS: '2000',
    LETHE_KEY_DETECTION_MS: String(KEY_DETECTION_MS),
    LETHE_RETIRED_KEY_GRACE_DAYS: String(RETIRED_KEY_GRACE_DAYS),
    ...(plan.vaultOutages.length > 0 ? { LETHE_SIMULATED_VAULT_OUTAGES: JSON.stringify(plan.vaultOutages) } : {}),
    ...(options.sabotage ? { LETHE_SABOTAGE: options.sabotage } : {}),
  };
  const logFile = join(options.outDir, 'engine.log');
  const violationsFile = join(options.outDir, 'violations.jsonl');
  writeFileSync(violationsFile, '');
  const oracle = new Oracle(plan, { secrets: [masterKey.toString('base64'), masterKey.toString('hex'), ...Object.values(tokens)] });
  const unexpected = new Map<string, { kind: FleetFact['kind']; status: string; count: number; example: string }>();
  let engine: EngineChild | undefined;
  let engineRssPeak: number | null = null;
  let api: EngineApi;
  // A Ctrl-C while the engine boots (seconds, more on a loaded machine) ends the run there.
  const startEngine = async (now: number) => {
    try {
      engine = await startEngineChild(env, logFile, options.signal);
    } catch (error) {
      if (error instanceof EngineStartAbortedError) throw new SimulationInterruptedError(new Date(now));
      throw error;
    }
    api = engineApi(engine.url);
  };
  const noteRss = () => {
    const rss = engine?.peakRss() ?? null;
    if (rss !== null) engineRssPeak = Math.max(engineRssPeak ?? 0, rss);
  };
  const moveClock = async (to: number) => {
    const moved = await api('POST', '/v1/admin/clock', tokens.admin, { now: new Date(to).toISOString() });
    if (moved.status !== 200) throw new Error(`moving the engine's clock to ${new Date(to).toISOString()} was answered ${moved.status}: ${moved.text}`);
  };

  let steps = 0;
  const stepsByReason: Record<string, number> = {};
  let crashes = 0;
  let factRetries = 0;
  let position = 0n;
  let events = 0;
  const wallMsPerYear: number[] = [];
  const phases = { facts: 0, settle: 0, oracle: 0, clock: 0, vacuum: 0 };
  const vacuum = await vacuumStandIn(pool);
  let standInVacuums = 0;
  const timed = async <T>(phase: keyof typeof phases, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      phases[phase] += performance.now() - t0;
    }
  };
  const vault = new VaultReader(pool);
  let checkpoints: CheckpointSignal | undefined;
  try {
    // A Ctrl-C while the database was being made (an embedded one takes seconds): end here.
    if (options.signal?.aborted) throw new SimulationInterruptedError(new Date(plan.start));
    await startEngine(Date.parse(plan.start));
    // The engine created the vault's tables: the oracle's reads of the vault follow its change feed.
    await installVaultChangeFeed(pool);
    checkpoints = await openCheckpointSignal(pool, database.url);
    const start = Date.parse(plan.start);
    const end = Date.parse(plan.end);
    const crashAt = plan.crashes.map(Date.parse).sort((a, b) => a - b);
    const outageEdges = plan.vaultOutages.flatMap((o) => [Date.parse(o.from), Date.parse(o.until)]).sort((a, b) => a - b);
    // Key detections owed after a client's rotation, in the future only (passed ones are dropped each step).
    let wakeups: number[] = [];
    let deferred: FleetFact[] = [];
    let nextFact = 0;
    let nextCrash = 0;
    let yearStartedWall = performance.now();
    let yearEnds = addYears(start, 1);
    let now = start;

    const settle = () => timed('settle', () => settleEngine(pool, checkpoints!, api, tokens.admin, now, () => engine!.unexpectedExit));
    for (;;) {
      if (options.signal?.aborted) throw new SimulationInterruptedError(new Date(now));
      steps++;
      await settle();
      // Facts the engine asked to be tried again come first, each tenant's in their order.
      const due: FleetFact[] = deferred;
      while (nextFact < plan.facts.length && Date.parse(plan.facts[nextFact].at) <= now) due.push(plan.facts[nextFact++]);
      const ctx = { api: api!, tokens, pool, masterKey, now };
      const outcomes = await timed('facts', () => applyByTenant(due, (fact) => applyFact(fact, { ...ctx, api: api! })));
      deferred = [];
      for (const outcome of outcomes) {
        if (outcome.retryLater) {
          deferred.push(outcome.fact);
          factRetries++;
        } else if (!outcome.ok) {
          const status = outcome.statuses.join('+');
          const key = `${outcome.fact.kind} ${status}`;
          const seen = unexpected.get(key);
          if (seen) seen.count++;
          else unexpected.set(key, { kind: outcome.fact.kind, status, count: 1, example: outcome.detail ?? '' });
        }
        if (outcome.fact.kind === 'client-rotation' && outcome.ok) wakeups.push(now + KEY_DETECTION_MS + 1000);
      }
      // Without facts the engine is as the step's first settle left it: nothing to wait for.
      if (due.length > 0) await settle();
      await timed('oracle', async () => {
        for (let page = await readEventsAfter(pool, position, EVENT_PAGE); page.length > 0; page = await readEventsAfter(pool, position, EVENT_PAGE)) {
          oracle.ingest(page);
          position = page[page.length - 1].position;
          events += page.length;
        }
        const found = oracle.check(new Date(now), await vault.read({ platformBackupsOf: oracle.platformBackupTenants() }));
        // Written as found: a long run's violations can be looked at while it goes on.
        if (found.length > 0) appendFileSync(violationsFile, found.map((v) => `${JSON.stringify(v)}\n`).join(''));
      });
      standInVacuums += (await timed('vacuum', () => vacuum.maybeVacuum())).length;
      options.onStep?.({ now: new Date(now), events, violations: oracle.violations().length, wallMs: performance.now() - started });
      while (now >= yearEnds) {
        wallMsPerYear.push(Math.round(performance.now() - yearStartedWall));
        yearStartedWall = performance.now();
        yearEnds = addYears(yearEnds, 1);
      }
      if (now >= end) break;

      const timer = await nextTimer(pool, now);
      // The earliest wins; of equals, the first listed names the step (the longest step and the end last).
      const candidates: [StepReason, number][] = [
        ['fact', nextFact < plan.facts.length ? Date.parse(plan.facts[nextFact].at) : Infinity],
        [`timer:${timer.kind}`, timer.at],
        ['retry', deferred.length > 0 ? now + 5 * 60_000 : Infinity],
        ['crash', nextCrash < crashAt.length ? crashAt[nextCrash] : Infinity],
        ['outage', firstAfter(outageEdges, now)],
        ['key-detection', Math.min(...(wakeups = wakeups.filter((w) => w > now)))],
        ['end', end],
        ['daily', now + MAX_STEP_MS],
      ];
      let [reason, next] = candidates[0];
      for (const [r, t] of candidates) if (t < next) [reason, next] = [r, t];
      next = Math.max(now + 1, next);
      stepsByReason[reason] = (stepsByReason[reason] ?? 0) + 1;
      const clockStarted = performance.now();
      if (nextCrash < crashAt.length && crashAt[nextCrash] <= next) {
        // The crash lands while the engine fires this step's timers: the clock move is sent and the
        // engine killed a few milliseconds into it.
        while (nextCrash < crashAt.length && crashAt[nextCrash] <= next) nextCrash++;
        const moving = moveClock(next).catch(() => undefined);
        await sleep(randomInt(0, 150));
        noteRss();
        await engine!.kill();
        await moving;
        crashes++;
        await startEngine(next);
        // The stored clock may or may not have moved before the kill: move it (again) to be sure.
        await moveClock(next);
      } else {
        await moveClock(next);
      }
      phases.clock += performance.now() - clockStarted;
      now = next;
    }
    // A last, partial year (a plan that does not end on a whole year).
    if (addYears(yearEnds, -1) < end) wallMsPerYear.push(Math.round(performance.now() - yearStartedWall));
  } finally {
    noteRss();
    await engine?.stop().catch(() => undefined);
    await checkpoints?.close();
    await pool.end().catch(() => undefined);
    await database.close(options.keepDatabase ?? false).catch(() => undefined);
  }
  return {
    plan: { seed: plan.seed, start: plan.start, end: plan.end, tenants: plan.tenants.length, facts: plan.facts.length, vaultOutages: plan.vaultOutages.length },
    sabotage: options.sabotage ?? null,
    database: database.description,
    violations: oracle.violations(),
    margins: oracle.margins(),
    counts: oracle.counts(),
    unexpectedAnswers: [...unexpected.values()],
    factRetries,
    crashes,
    steps,
    stepsByReason,
    eventsAppended: events,
    wallMs: Math.round(performance.now() - started),
    wallMsPerYear,
    wallMsByPhase: { facts: Math.round(phases.facts), settle: Math.round(phases.settle), oracle: Math.round(phases.oracle), clock: Math.round(phases.clock), vacuum: Math.round(phases.vacuum) },
    standInVacuums: vacuum.autovacuum ? null : standInVacuums,
    peakRss: { engine: engineRssPeak, simulator: process.resourceUsage().maxRSS * 1024 },
  };
}

/** What made the clock stop at a step (SimulationResult.stepsByReason). */
type StepReason = string;

function addYears(t: number, years: number): number {
  const d = new Date(t);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.getTime();
}

function firstAfter(sorted: readonly number[], t: number): number {
  let best = Infinity;
  for (const x of sorted) if (x > t && x < best) best = x;
  return best;
}

/** Each tenant's facts in order, up to FACT_CONCURRENCY tenants at a time; outcomes in no particular order. */
async function applyByTenant(facts: readonly FleetFact[], apply: (fact: FleetFact) => Promise<FactOutcome>): Promise<FactOutcome[]> {
  const byTenant = new Map<string, FleetFact[]>();
  for (const f of facts) {
    const id = f.kind === 'onboard' ? f.tenant.tenantId : f.tenantId;
    const list = byTenant.get(id);
    if (list) list.push(f);
    else byTenant.set(id, [f]);
  }
  const queues = [...byTenant.values()];
  const outcomes: FactOutcome[] = [];
  const worker = async () => {
    for (let queue = queues.shift(); queue; queue = queues.shift()) {
      for (let i = 0; i < queue.length; i++) {
        const outcome = await apply(queue[i]);
        outcomes.push(outcome);
        if (outcome.retryLater) {
          // What follows depends on it (a backup on a tenant not yet onboarded): it all waits.
          for (const rest of queue.slice(i + 1)) outcomes.push({ fact: rest, statuses: [], ok: false, retryLater: true });
          break;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FACT_CONCURRENCY, queues.length) }, worker));
  return outcomes;
}

/**
 * The next pending timer after `now` that the clock must stop on, and its kind (vault detection runs
 * on its own timers, stepped on only after a client's rotation); Infinity when there is none.
 */
async function nextTimer(pool: pg.Pool, now: number): Promise<{ at: number; kind: string }> {
  const r = await pool.query<{ next: Date; kind: string }>(
    `select coalesce(next_attempt_at, due_at) as next, kind from lethe_deadlines
      where status = 'pending' and kind <> 'key-detection' and coalesce(next_attempt_at, due_at) > $1
      order by coalesce(next_attempt_at, due_at), id limit 1`,
    [new Date(now)],
  );
  return r.rows.length === 0 ? { at: Infinity, kind: 'none' } : { at: r.rows[0].next.getTime(), kind: r.rows[0].kind };
}

/**
 * Until every processor reached the log's head and no timer is due at `now`; each round asks the
 * engine to fire what is due (firing may append events and make further timers due), or waits for a
 * processor to move its checkpoint.
 * @throws when it takes longer than SETTLE_TIMEOUT_MS, or the engine exits.
 */
async function settleEngine(
  pool: pg.Pool,
  checkpoints: CheckpointSignal,
  api: EngineApi,
  adminToken: string,
  now: number,
  exited: () => Promise<never>,
): Promise<void> {
  const until = performance.now() + SETTLE_TIMEOUT_MS;
  const at = new Date(now);
  let firedNothing = false;
  for (;;) {
    // Read before the look: a checkpoint moved while the look runs wakes the wait at once.
    const seen = checkpoints.seen;
    // The earliest pending instant, not "exists … <= $1": the first is the head of the pending-due index;
    // the second was planned as a scan of every deadline row, which a long run piles up by the ten thousand.
    const r = await pool.query<{ behind: boolean; due: boolean }>(
      `select exists (select 1 from lethe_checkpoints where position < (select coalesce(max(global_position), 0) from lethe_events)) as behind,
              coalesce((select min(coalesce(next_attempt_at, due_at)) from lethe_deadlines where status = 'pending') <= $1, false) as due`,
      [at],
    );
    const { behind, due } = r.rows[0];
    if (!behind && !due) return;
    if (performance.now() > until) {
      throw new Error(`the engine did not settle at ${at.toISOString()} within ${SETTLE_TIMEOUT_MS} ms (processors behind: ${behind}; timers due: ${due})`);
    }
    if (due) {
      // The last move fired nothing and something is still due: it is claimed by a killed engine until
      // its lease lapses (real time). Ask again a little later, not in a tight loop.
      if (firedNothing) await checkpoints.wait(seen, SETTLE_LOOK_MAX_MS);
      const moved = await Promise.race([api('POST', '/v1/admin/clock', adminToken, { now: at.toISOString() }), exited()]);
      if (moved.status !== 200) throw new Error(`firing the timers due at ${at.toISOString()} was answered ${moved.status}: ${moved.text}`);
      firedNothing = /"fired":\[\]/.test(moved.text);
    } else {
      await checkpoints.wait(seen, SETTLE_LOOK_MAX_MS);
    }
  }
}
