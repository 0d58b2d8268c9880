// Fires due deadlines. The engine calls tick() on a schedule (@nestjs/schedule); any number of
// instances may tick the same table at once.
//
// Claiming: a LEASE on the row, never a transaction held while the handler runs. Per row:
//   1. claim   one statement: the next pending rows due by clock.now() whose claim is free or expired
//              (up to claimBatch, FOR UPDATE SKIP LOCKED in a subselect) get claimed_by = owner,
//              claimed_until = database now() + leaseMs and a fresh claim_token; it commits at once.
//              The rows are then fired one after the other, each as below. A tick's first claim takes
//              one row and each claim whose rows all fired quickly takes twice as many as the one
//              before; rows still unfired CLAIM_HOLD_MS after their claim (a slow handler before them)
//              are released at once and the next claim takes one row again. So claimed rows wait
//              briefly at most: another instance still finds them, every handler starts with nearly
//              all of its lease ahead, and a slow handler holds its own row, never a queue behind it.
//   2. act     the handler runs with no transaction open and no connection held. Every leaseMs/3 the
//              claim is renewed (claimed_until = now() + leaseMs where the token still matches); a
//              renewal that finds the token gone, or no renewal for a whole lease, aborts the
//              handler's signal: someone else may own the row now.
//   3. record  one statement, conditioned on the token and on the row's revision as claimed: fired,
//              rescheduled by the handler (context.rescheduleAt), or a failure (backoff, then parked;
//              a transient one, per options.isTransient, is retried with the capped backoff and never parked);
//              the claim is cleared. A failure is written at once; the successes of one claim's rows
//              together (one statement at the end of the claim, or CLAIM_HOLD_MS after the first of
//              them while a later handler still runs, so none waits long on its lease). A revision
//              that moved means schedule()/cancel() changed the row while the handler ran: their
//              change stands and the claim is only released. A token that moved means the claim
//              expired and was taken over: the outcome is dropped.
// - Another instance skips a claimed row and takes the next one, so a slow handler holds one row,
//   never the table, and never a connection, an xid or the server's xmin horizon.
// - An instance killed mid-handler (or hung) stops renewing; once claimed_until has passed, any
//   instance takes the row over, counting the lost run as a failed attempt (DeadlineClaimExpiredError),
//   so a handler that kills its process every time is parked after maxAttempts like any failure.
// - The handler may therefore run more than once for one id (it dedupes on deadline.id); while
//   claims are honoured (renewed, or aborted when they cannot be) it never runs concurrently for one
//   id, and a stale runner's outcome is never recorded.
// - Lease expiry uses the database's clock, due times use the Clock given here (which may be manual).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { Clock } from '@lethe/clock';
import { DEADLINE_COLUMNS, toDeadline, toJson, type Deadline, type DeadlineRow } from './deadline.js';

export interface DeadlineFireContext {
  /** Aborted when the handler exceeds handlerTimeoutMs or its claim is lost; the reason says which. */
  readonly signal: AbortSignal;
  /** 1 for the first try; deadline.attempts + 1. */
  readonly attempt: number;
  /**
   * Keeps this deadline pending, due again at `at` (a recurring timer, or one that fired too early),
   * with `payload` when given, else its current payload. Applied with the outcome, only if the handler
   * then succeeds: attempts and backoff reset, the row is not marked fired. The last call wins.
   * Throws TypeError for an invalid date or a payload that is not JSON-serialisable.
   */
  rescheduleAt(at: Date, payload?: unknown): void;
}

/** Must be idempotent: deadline.id is the message id. Throw (or reject) to have it retried with backoff. */
export type DeadlineHandler<P = unknown> = {
  // Method syntax makes the parameter bivariant, so a handler typed for its own payload fits a registry.
  bivarianceHack(deadline: Deadline<P>, context: DeadlineFireContext): Promise<void>;
}['bivarianceHack'];

export type DeadlineHandlers = Readonly<Record<string, DeadlineHandler>>;

/** Pino-compatible (fields first, then message). Fields never contain a payload or the owner. */
export interface DeadlineLogger {
  info?(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface DeadlineBackoff {
  /** Delay after the first failure; doubles with each further failure. Default 10 s. */
  readonly baseMs?: number;
  /** Cap of the delay. Default 1 h. */
  readonly maxMs?: number;
}

export interface DeadlinePollerOptions {
  /** Most rows one tick fires (one after the other). Default 100. */
  readonly batchSize?: number;
  /**
   * Most rows one claim statement takes (then fired one after the other). Default 16: a fleet's timers
   * fall due together (a rotation period ending for many tenants, each ring's vault detection), and a
   * claim per row would cost a statement per firing. 1 claims row by row.
   */
  readonly claimBatch?: number;
  /** Failed attempts after which a row is parked as 'failed'. Default 10. Transient failures do not count. */
  readonly maxAttempts?: number;
  /**
   * Says whether a handler's failure is transient: a dependency that is down or did not answer (e.g. the
   * key vault in an outage), not a refusal or a bug. A transient failure is retried with the capped
   * backoff for as long as it lasts and never parks the row: an outage of hours must not end a timer
   * whose work is owed as soon as the dependency is back. It does not add to `attempts` (those count
   * towards parking); its delay doubles the previous failure's, from backoff.baseMs up to backoff.maxMs.
   * Default: no failure is transient.
   */
  readonly isTransient?: (error: unknown) => boolean;
  readonly backoff?: DeadlineBackoff;
  /** Real-time bound of one handler run. Default 60 s. */
  readonly handlerTimeoutMs?: number;
  /**
   * How long a claim lasts without renewal, in database time; renewed every leaseMs/3 while the
   * handler runs. A row whose instance died mid-handler is taken over after at most this long.
   * At least 100 ms. Default 30 s.
   */
  readonly leaseMs?: number;
  /** This poller's name in claimed_by (for ops; never logged). Default: a random id. */
  readonly owner?: string;
  readonly logger?: DeadlineLogger;
}

export interface TickResult {
  /**
   * Rows whose handler succeeded in this tick (marked fired, rescheduled by the handler, or left as a
   * concurrent schedule()/cancel() set them).
   */
  readonly fired: number;
  /** Those rows, in the order they fired. */
  readonly firedDeadlines: readonly FiredDeadline[];
  /** Handler attempts that failed in this tick (including those parked), or whose claim was lost meanwhile. */
  readonly failed: number;
  /** Of those, rows that reached maxAttempts and are now status 'failed'. */
  readonly parked: number;
}

/** The claim size the loops of one drain have reached (rows per claim, at most claimBatch). */
interface ClaimSize {
  rows: number;
}

/** What a drain fired, and the first failure of one of its claim loops (rows it claimed are taken over after their lease). */
export interface DrainResult extends TickResult {
  readonly error?: unknown;
}

/** A deadline whose handler succeeded: its id and kind (never its payload). */
export interface FiredDeadline {
  readonly id: string;
  readonly kind: string;
}

export class UnknownDeadlineKindError extends Error {
  constructor(readonly kind: string) {
    super(`no handler registered for deadline kind '${kind}'`);
    this.name = 'UnknownDeadlineKindError';
  }
}

export class DeadlineHandlerTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`deadline handler did not finish within ${timeoutMs} ms`);
    this.name = 'DeadlineHandlerTimeoutError';
  }
}

/** Recorded as the failed attempt of a run whose claim expired before it recorded an outcome. */
export class DeadlineClaimExpiredError extends Error {
  constructor() {
    super('the claim of an earlier run expired before it recorded an outcome (its instance stopped or hung)');
    this.name = 'DeadlineClaimExpiredError';
  }
}

/** The abort reason of a handler whose claim was taken over, or could not be renewed within a lease. */
export class DeadlineClaimLostError extends Error {
  constructor() {
    super('the claim on this deadline was lost while its handler ran');
    this.name = 'DeadlineClaimLostError';
  }
}

/** Delay before the next try after `failures` failed attempts (1 → base). */
export function backoffDelayMs(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
}

const MAX_ERROR_LENGTH = 1000;
const MAX_TIMER_MS = 2_147_483_647;
const MIN_LEASE_MS = 100;
/** Real time claimed rows may wait behind the rows claimed with them before they are released unfired. */
const CLAIM_HOLD_MS = 250;
const LEASE = `now() + make_interval(secs => $3::float8 / 1000)`;
const CLEAR_CLAIM = 'claimed_by = null, claimed_until = null, claim_token = null';

// The ordering expression is the one indexed by lethe_deadlines_due_idx (migrations.ts). A row whose
// claim expired is taken over: that counts as a failed attempt ($5: its last_error).
const CLAIM_SQL = `
  update lethe_deadlines d
     set claimed_by = $2, claimed_until = ${LEASE}, claim_token = gen_random_uuid(),
         attempts = d.attempts + c.taken_over::int,
         last_error = case when c.taken_over then $4 else d.last_error end
    from (select id, claim_token is not null as taken_over
            from lethe_deadlines
           where status = 'pending' and coalesce(next_attempt_at, due_at) <= $1
             and (claimed_until is null or claimed_until <= now())
           order by coalesce(next_attempt_at, due_at), id
           limit $5
           for update skip locked) c
   where d.id = c.id
  returning ${DEADLINE_COLUMNS.split(', ')
    .map((column) => `d.${column}`)
    .join(', ')}, d.revision::text as revision, c.taken_over, d.claim_token::text as claim_token, coalesce(d.next_attempt_at, d.due_at) as fires_at`;

const RENEW_SQL = `update lethe_deadlines set claimed_until = ${LEASE} where id = $1 and claim_token = $2::uuid`;

// Outcomes: $1 id, $2 claim token, $3 revision as claimed; they apply only to the row as claimed.
const RECORD_FAILURE_SQL = `
  update lethe_deadlines
     set attempts = $4, last_error = $5, status = $6, next_attempt_at = $7, updated_at = $8, revision = revision + 1, ${CLEAR_CLAIM}
   where id = $1 and claim_token = $2::uuid and revision = $3::bigint`;

const RELEASE_SQL = `update lethe_deadlines set ${CLEAR_CLAIM} where id = $1 and claim_token = $2::uuid`;
const RELEASE_ALL_SQL = `update lethe_deadlines d set ${CLEAR_CLAIM} from unnest($1::text[], $2::uuid[]) as c(id, token) where d.id = c.id and d.claim_token = c.token`;

// The successes of a claim's rows in one statement, each applied only to its row as claimed (id,
// token, revision): fired, or rescheduled by its handler ($4; $5, $6: the new due time and payload,
// null keeping the payload) with a fresh attempt budget. Returns the ids it applied to.
const RECORD_SUCCESSES_SQL = `
  update lethe_deadlines d
     set status = case when o.rescheduled then d.status else 'fired' end,
         fired_at = case when o.rescheduled then d.fired_at else o.at end,
         due_at = case when o.rescheduled then o.due_at else d.due_at end,
         payload = case when o.rescheduled then coalesce(o.payload::jsonb, d.payload) else d.payload end,
         attempts = case when o.rescheduled then 0 else d.attempts end,
         last_error = case when o.rescheduled then null else d.last_error end,
         next_attempt_at = null, updated_at = o.at, revision = d.revision + 1, ${CLEAR_CLAIM}
    from unnest($1::text[], $2::uuid[], $3::bigint[], $4::boolean[], $5::timestamptz[], $6::text[], $7::timestamptz[])
         as o(id, token, revision, rescheduled, due_at, payload, at)
   where d.id = o.id and d.claim_token = o.token and d.revision = o.revision
  returning d.id`;

type ClaimedRow = DeadlineRow & { revision: string; taken_over: boolean; claim_token: string; fires_at: Date };
/** A handler that succeeded, its outcome not yet written (see tick: a claim's are written together). */
interface Success {
  readonly claim: Claim;
  readonly deadline: Deadline;
  readonly attempt: number;
  readonly reschedule: Reschedule | undefined;
  /** The clock's now when the handler succeeded: fired_at / updated_at. */
  readonly at: Date;
}
type Fired = { readonly outcome: 'retry' | 'parked' } | { readonly success: Success };
type HandlerRun = { status: 'ok'; reschedule: Reschedule | undefined } | { status: 'failed'; error: unknown };
/** What an outcome write found: it applied, the row was changed meanwhile (claim released), or the claim was gone. */
type Recorded = 'applied' | 'changed' | 'lost';

interface Reschedule {
  readonly at: Date;
  /** JSON text, or null to keep the payload. */
  readonly payload: string | null;
}

interface Claim {
  readonly id: string;
  readonly token: string;
  readonly revision: string;
  /** performance.now() when the claim was sent: the lease surely lasts until this + leaseMs. */
  readonly sentAt: number;
}

export class DeadlinePoller {
  private readonly batchSize: number;
  private readonly claimBatch: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly handlerTimeoutMs: number;
  private readonly leaseMs: number;
  private readonly owner: string;
  private readonly logger: DeadlineLogger | undefined;
  private readonly isTransient: (error: unknown) => boolean;
  private readonly handlers: DeadlineHandlers;
  private readonly running = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    handlers: DeadlineHandlers,
    options: DeadlinePollerOptions = {},
  ) {
    this.handlers = { ...handlers };
    this.batchSize = positiveInteger('batchSize', options.batchSize ?? 100);
    this.claimBatch = positiveInteger('claimBatch', options.claimBatch ?? 16);
    this.maxAttempts = positiveInteger('maxAttempts', options.maxAttempts ?? 10);
    this.backoffBaseMs = positiveNumber('backoff.baseMs', options.backoff?.baseMs ?? 10_000);
    this.backoffMaxMs = positiveNumber('backoff.maxMs', options.backoff?.maxMs ?? 3_600_000);
    if (this.backoffMaxMs < this.backoffBaseMs) throw new RangeError('backoff.maxMs must not be below backoff.baseMs');
    this.handlerTimeoutMs = positiveNumber('handlerTimeoutMs', options.handlerTimeoutMs ?? 60_000);
    if (this.handlerTimeoutMs > MAX_TIMER_MS) throw new RangeError(`handlerTimeoutMs must be at most ${MAX_TIMER_MS}`);
    this.leaseMs = positiveNumber('leaseMs', options.leaseMs ?? 30_000);
    if (this.leaseMs < MIN_LEASE_MS || this.leaseMs > MAX_TIMER_MS) {
      throw new RangeError(`leaseMs must be from ${MIN_LEASE_MS} to ${MAX_TIMER_MS} milliseconds`);
    }
    const owner = options.owner ?? `poller-${randomUUID()}`;
    if (typeof owner !== 'string' || owner.trim() === '') throw new TypeError('owner must be a non-empty string');
    this.owner = owner;
    this.logger = options.logger;
    this.isTransient = options.isTransient ?? (() => false);
  }

  /**
   * Fires up to batchSize due deadlines, one claim each. Safe to call concurrently, from this or
   * other instances. Rejects on a database error; a row claimed by then is taken over after its lease.
   */
  async tick(): Promise<TickResult> {
    return (await this.claimLoop()).result;
  }

  /**
   * Fires everything due now with up to `loops` claim loops side by side (as several instances would),
   * each ticking until a claim finds nothing. Loops are added one at a time, each when a claim found
   * rows: nothing due costs one claim, one due row three, not one per loop (a manual clock's every move
   * drains, most of them with little due). The loops share the claim size reached: a loop added during a
   * burst starts where the others are, not at one row (a fleet's timers due together are then claimed
   * a few at a time, not one, then two, in every loop). Resolves once every loop has ended, with what they fired and,
   * when a loop failed (a database error), the first failure in `error`.
   * @param loops at least 1.
   */
  async drain(loops: number): Promise<DrainResult> {
    positiveInteger('loops', loops);
    const total = { fired: 0, firedDeadlines: [] as FiredDeadline[], failed: 0, parked: 0 };
    const ended: Promise<void>[] = [];
    let running = 0;
    const reached: ClaimSize = { rows: 1 };
    const addLoop = () => {
      running++;
      const loop = (async () => {
        try {
          for (;;) {
            const { result, exhausted } = await this.claimLoop(() => {
              if (running < loops) addLoop();
            }, reached);
            total.fired += result.fired;
            total.failed += result.failed;
            total.parked += result.parked;
            total.firedDeadlines.push(...result.firedDeadlines);
            // Stopped by the batch size, not by an empty claim: more may be due.
            if (exhausted || this.stopping) return;
          }
        } finally {
          running--;
        }
      })();
      ended.push(loop);
    };
    addLoop();
    // Loops added while waiting are appended to `ended`: wait until none is left unsettled.
    const settled: PromiseSettledResult<void>[] = [];
    for (let i = 0; i < ended.length; i++) settled.push(...(await Promise.allSettled([ended[i]])));
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    return failure ? { ...total, error: failure.reason as unknown } : total;
  }

  /**
   * One claim loop: claims (1 row, or the size `shared` reached, then twice as many after each claim
   * whose rows all fired quickly) and fires until a claim finds nothing (`exhausted`), batchSize rows
   * were taken, or the poller stops. `onRows` is called after each claim that found rows, before they
   * fire; a claim that found every row it asked for raises `shared` to the next size.
   */
  private async claimLoop(onRows?: () => void, shared?: ClaimSize): Promise<{ result: TickResult; exhausted: boolean }> {
    let fired = 0;
    let failed = 0;
    let parked = 0;
    const firedDeadlines: FiredDeadline[] = [];
    let exhausted = false;
    if (this.stopping) return { result: { fired, firedDeadlines, failed, parked }, exhausted };
    const run = (async () => {
      const holdMs = Math.min(CLAIM_HOLD_MS, this.leaseMs / 3);
      for (let taken = 0, size = shared?.rows ?? 1; taken < this.batchSize && !this.stopping; ) {
        const asked = Math.min(size, this.claimBatch, this.batchSize - taken);
        const { rows, sentAt } = await this.claim(asked);
        if (rows.length === 0) {
          exhausted = true;
          break;
        }
        onRows?.();
        size *= 2;
        if (shared && rows.length === asked) shared.rows = Math.min(Math.max(shared.rows, size), this.claimBatch);
        // Rows not started holdMs after the claim (a slow handler before them) are handed back at once,
        // while that handler still runs, for anyone to take; the rest of this loop then skips them.
        let next = 0;
        let released: Promise<void> | undefined;
        const handBack = () => {
          if (next >= rows.length) return;
          released = this.release(rows.slice(next));
          next = rows.length;
          size = 1;
        };
        const timer = rows.length > 1 ? setTimeout(handBack, Math.max(0, sentAt + holdMs - performance.now())) : undefined;
        // The successes of a claim's rows are written together, at the latest holdMs after the first
        // of them (a slow handler after it must not let its lease run out unwritten), and at the end.
        const successes: Success[] = [];
        let writing: Promise<void> = Promise.resolve();
        let writeFailure: { error: unknown } | undefined;
        let writeTimer: NodeJS.Timeout | undefined;
        const writeSuccesses = () => {
          clearTimeout(writeTimer);
          writeTimer = undefined;
          if (successes.length === 0) return;
          const batch = successes.splice(0);
          writing = writing
            .then(async () => {
              const recorded = await this.recordSuccesses(batch);
              batch.forEach((success, i) => {
                if (this.settled(success, recorded[i]) !== 'fired') return void failed++;
                fired++;
                firedDeadlines.push({ id: success.deadline.id, kind: success.deadline.kind });
              });
            })
            .catch((error: unknown) => void (writeFailure ??= { error }));
        };
        try {
          while (next < rows.length && writeFailure === undefined) {
            if (this.stopping) {
              handBack();
              break;
            }
            const row = rows[next++];
            taken++;
            const result = await this.fire(row, sentAt);
            if ('success' in result) {
              successes.push(result.success);
              writeTimer ??= setTimeout(writeSuccesses, holdMs);
              continue;
            }
            failed++;
            if (result.outcome === 'parked') parked++;
          }
        } finally {
          // Also after a failure to record an outcome: what did not run is not left to expire.
          clearTimeout(timer);
          handBack();
          writeSuccesses();
          await writing;
          await released;
        }
        if (writeFailure !== undefined) throw writeFailure.error;
      }
    })();
    this.running.add(run);
    try {
      await run;
    } finally {
      this.running.delete(run);
    }
    return { result: { fired, firedDeadlines, failed, parked }, exhausted };
  }

  /** Stops claiming new rows and waits for the ticks in progress (bounded by handlerTimeoutMs). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running]);
  }

  /** Claims up to `limit` due rows, each under a fresh token, in due order. */
  private async claim(limit: number): Promise<{ rows: ClaimedRow[]; sentAt: number }> {
    const sentAt = performance.now();
    const claimed = await this.pool.query<ClaimedRow>(CLAIM_SQL, [this.clock.now(), this.owner, this.leaseMs, CLAIM_EXPIRED_ERROR, limit]);
    // The statement's order is not the returned rows' order: fire them in due order, then id.
    const rows = claimed.rows.sort((a, b) => a.fires_at.getTime() - b.fires_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { rows, sentAt };
  }

  /** Gives back claimed rows that were not fired (their attempts unchanged: nothing ran). */
  private async release(rows: readonly ClaimedRow[]): Promise<void> {
    await this.pool.query(RELEASE_ALL_SQL, [rows.map((r) => r.id), rows.map((r) => r.claim_token)]);
  }

  /** Runs one claimed row's handler: its failure is recorded at once, its success returned to be written. */
  private async fire(row: ClaimedRow, sentAt: number): Promise<Fired> {
    const deadline = toDeadline(row);
    const claim: Claim = { id: deadline.id, token: row.claim_token, revision: row.revision, sentAt };
    if (row.taken_over) {
      this.logger?.warn(fields(deadline, deadline.attempts), 'deadline claim expired; taken over and counted as a failed attempt');
      if (deadline.attempts >= this.maxAttempts) {
        return { outcome: await this.recordFailure(claim, deadline, deadline.attempts, new DeadlineClaimExpiredError()) };
      }
    }
    const attempt = deadline.attempts + 1;
    const run = await this.runHandler(claim, deadline, attempt);
    if (run.status === 'failed') return { outcome: await this.recordFailure(claim, deadline, attempt, run.error) };

    return { success: { claim, deadline, attempt, reschedule: run.reschedule, at: this.clock.now() } };
  }

  /**
   * Writes the outcomes of handlers that succeeded, each applied only to its row as claimed (one
   * statement for several); a row changed meanwhile only has its claim released.
   */
  private async recordSuccesses(successes: readonly Success[]): Promise<Recorded[]> {
    const applied = await this.pool.query<{ id: string }>(RECORD_SUCCESSES_SQL, [
      successes.map((s) => s.claim.id),
      successes.map((s) => s.claim.token),
      successes.map((s) => s.claim.revision),
      successes.map((s) => s.reschedule !== undefined),
      successes.map((s) => s.reschedule?.at ?? null),
      successes.map((s) => s.reschedule?.payload ?? null),
      successes.map((s) => s.at),
    ]);
    const ids = new Set(applied.rows.map((r) => r.id));
    const recorded: Recorded[] = [];
    for (const { claim } of successes) recorded.push(ids.has(claim.id) ? 'applied' : await this.releaseUnapplied(claim));
    return recorded;
  }

  /** Logs what became of a success: 'fired' when its outcome stands (or a concurrent change does). */
  private settled({ deadline, attempt, reschedule }: Success, recorded: Recorded): 'fired' | 'retry' {
    const log = fields(deadline, attempt);
    if (recorded === 'applied') {
      this.logger?.info?.(
        reschedule ? { ...log, nextDueAt: reschedule.at.toISOString() } : log,
        reschedule ? 'deadline handler succeeded; rescheduled' : 'deadline fired',
      );
    } else if (recorded === 'changed') {
      this.logger?.info?.(log, 'deadline handler succeeded; the deadline was rescheduled or cancelled meanwhile and stays so');
    } else {
      this.logger?.warn(log, 'deadline handler succeeded after its claim was taken over; outcome dropped');
      return 'retry';
    }
    return 'fired';
  }

  private async runHandler(claim: Claim, deadline: Deadline, attempt: number): Promise<HandlerRun> {
    const handler = Object.hasOwn(this.handlers, deadline.kind) ? this.handlers[deadline.kind] : undefined;
    if (!handler) return { status: 'failed', error: new UnknownDeadlineKindError(deadline.kind) };
    const controller = new AbortController();
    let reschedule: Reschedule | undefined;
    const context: DeadlineFireContext = {
      signal: controller.signal,
      attempt,
      rescheduleAt(at: Date, payload?: unknown): void {
        if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new TypeError('rescheduleAt: at must be a valid Date');
        reschedule = { at, payload: payload === undefined ? null : toJson(payload) };
      },
    };
    // Timeout or lost claim: abort the handler and stop waiting for it; the attempt is a failure.
    let abandon!: (run: HandlerRun) => void;
    const abandoned = new Promise<HandlerRun>((resolve) => (abandon = resolve));
    const giveUp = (error: Error) => {
      controller.abort(error);
      abandon({ status: 'failed', error });
    };
    const timer = setTimeout(() => giveUp(new DeadlineHandlerTimeoutError(this.handlerTimeoutMs)), this.handlerTimeoutMs);
    const renewal = this.keepClaimed(claim, deadline, attempt, giveUp);
    const work = Promise.resolve()
      .then(() => handler(deadline, context))
      .then(
        (): HandlerRun => ({ status: 'ok', reschedule }),
        (error: unknown): HandlerRun => ({ status: 'failed', error }),
      );
    try {
      return await Promise.race([work, abandoned]);
    } finally {
      clearTimeout(timer);
      renewal.stop();
    }
  }

  /**
   * Renews the claim every leaseMs/3 until stop(). Calls lost() when a renewal finds the token gone
   * (taken over), or when a whole lease passes without a successful renewal (the database may have
   * let it expire, so another instance may run the row).
   */
  private keepClaimed(claim: Claim, deadline: Deadline, attempt: number, lost: (error: Error) => void): { stop(): void } {
    let stopped = false;
    let next: NodeJS.Timeout | undefined;
    let expiry: NodeJS.Timeout | undefined;
    const loseClaim = (message: string) => {
      if (stopped) return;
      stop();
      this.logger?.warn(fields(deadline, attempt), message);
      lost(new DeadlineClaimLostError());
    };
    const expireAt = (heldFrom: number) => {
      clearTimeout(expiry);
      expiry = setTimeout(
        () => loseClaim('deadline claim could not be renewed within its lease; handler aborted'),
        Math.max(0, heldFrom + this.leaseMs - performance.now()),
      );
    };
    const renew = async () => {
      const sentAt = performance.now();
      try {
        const renewed = await this.pool.query(RENEW_SQL, [claim.id, claim.token, this.leaseMs]);
        if (stopped) return;
        if (renewed.rowCount === 0) return loseClaim('deadline claim was taken over while its handler ran; handler aborted');
        expireAt(sentAt);
      } catch (error) {
        if (stopped) return;
        this.logger?.warn({ ...fields(deadline, attempt), error: describeError(error) }, 'deadline claim renewal failed; will retry');
      }
      next = setTimeout(() => void renew(), this.leaseMs / 3);
    };
    const stop = () => {
      stopped = true;
      clearTimeout(next);
      clearTimeout(expiry);
    };
    expireAt(claim.sentAt);
    next = setTimeout(() => void renew(), this.leaseMs / 3);
    return { stop };
  }

  /** Writes an outcome for the row as claimed; otherwise only releases the claim if it is still ours. */
  private async record(claim: Claim, sql: string, values: unknown[]): Promise<Recorded> {
    const applied = await this.pool.query(sql, [claim.id, claim.token, claim.revision, ...values]);
    return applied.rowCount === 1 ? 'applied' : this.releaseUnapplied(claim);
  }

  /** An outcome that did not apply: the row changed meanwhile (its claim, still ours, released) or the claim was lost. */
  private async releaseUnapplied(claim: Claim): Promise<'changed' | 'lost'> {
    const released = await this.pool.query(RELEASE_SQL, [claim.id, claim.token]);
    return released.rowCount === 1 ? 'changed' : 'lost';
  }

  private async recordFailure(claim: Claim, deadline: Deadline, attempt: number, error: unknown): Promise<'retry' | 'parked'> {
    const message = describeError(error);
    const now = this.clock.now();
    const transient = !(error instanceof DeadlineClaimExpiredError) && this.isTransientSafely(error);
    // A transient failure leaves the count as it was (the row's attempts, the claim's takeover included).
    const counted = transient ? deadline.attempts : attempt;
    const park = !transient && attempt >= this.maxAttempts;
    const delay = transient ? this.transientDelayMs(deadline) : backoffDelayMs(attempt, this.backoffBaseMs, this.backoffMaxMs);
    const nextAttemptAt = park ? null : new Date(now.getTime() + delay);
    const recorded = await this.record(claim, RECORD_FAILURE_SQL, [counted, message, park ? 'failed' : 'pending', nextAttemptAt, now]);
    const log = { ...fields(deadline, attempt), error: message, ...(transient ? { transient } : {}) };
    if (recorded === 'changed') {
      this.logger?.warn(log, 'deadline handler failed; the deadline was rescheduled or cancelled meanwhile and stays so');
      return 'retry';
    }
    if (recorded === 'lost') {
      this.logger?.warn(log, 'deadline handler failed after its claim was taken over; outcome dropped');
      return 'retry';
    }
    if (park) {
      this.logger?.error(log, `deadline handler failed ${attempt} times; parked as failed`);
      return 'parked';
    }
    this.logger?.warn(
      { ...log, nextAttemptAt: nextAttemptAt?.toISOString() },
      transient ? 'deadline handler failed: a dependency is unavailable; will retry until it is back' : 'deadline handler failed; will retry',
    );
    return 'retry';
  }

  /** Double the delay of the row's previous failure (recorded as next_attempt_at - updated_at), capped. */
  private transientDelayMs(deadline: Deadline): number {
    const previous = deadline.nextAttemptAt ? deadline.nextAttemptAt.getTime() - deadline.updatedAt.getTime() : 0;
    return Math.min(this.backoffMaxMs, Math.max(this.backoffBaseMs, 2 * previous));
  }

  /** A classifier that throws is a bug of its own: the failure then counts as permanent. */
  private isTransientSafely(error: unknown): boolean {
    try {
      return this.isTransient(error) === true;
    } catch {
      return false;
    }
  }
}

function fields(deadline: Deadline, attempt: number): Record<string, unknown> {
  return { deadlineId: deadline.id, kind: deadline.kind, dueAt: deadline.dueAt.toISOString(), attempt };
}

/** Name and message only (never the payload, never a stack), bounded, storable as text. */
/** The last_error of a row taken over from an expired claim (made once: every claim sends it). */
const CLAIM_EXPIRED_ERROR = describeError(new DeadlineClaimExpiredError());

function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : `non-Error value thrown (${typeof error})`;
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/\u0000/g, '');
  return clean.length > MAX_ERROR_LENGTH ? `${clean.slice(0, MAX_ERROR_LENGTH - 1)}…` : clean;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
  return value;
}

function positiveNumber(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number`);
  return value;
}
