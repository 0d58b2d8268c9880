// Fires due deadlines. The engine calls tick() on a schedule (@nestjs/schedule); any number of
// instances may tick the same table at once.
//
// Claiming: ONE TRANSACTION PER ROW, and the row lock is held while the handler runs.
//   begin
//   select … where status = 'pending' and coalesce(next_attempt_at, due_at) <= $now
//     order by coalesce(next_attempt_at, due_at), id limit 1 for update skip locked
//   savepoint → handler(deadline, {client, signal, attempt}) → mark fired | rollback to savepoint, record failure
//   commit
// - Another instance skips a row being fired (SKIP LOCKED) and takes the next one, so a slow handler
//   blocks one row, never the table.
// - A crash (kill -9, lost connection) ends the session; PostgreSQL rolls the transaction back and
//   the row is pending and due again at once: no lease to expire, no clock involved. The handler may
//   therefore run more than once for one id (it dedupes on deadline.id); it never runs concurrently
//   for one id, and a row is marked fired at most once.
// - The handler gets the claiming connection: whatever it writes with context.client commits
//   atomically with "fired" (and is rolled back with its failure).
// - Costs: the transaction holds a connection and an xid for the handler's duration, which holds back
//   pg_snapshot_xmin(pg_current_snapshot()) cluster-wide, i.e. event-store readers that stop below
//   the xmin horizon wait for the handler. Handlers must be short (append events / issue a command);
//   handlerTimeoutMs bounds them: on timeout the connection is discarded, its backend terminated
//   (releasing the lock) and the attempt recorded as a failure.
import type pg from 'pg';
import type { Clock } from '@lethe/clock';
import { DEADLINE_COLUMNS, toDeadline, type Deadline, type DeadlineRow } from './deadline.js';

export interface DeadlineFireContext {
  /**
   * The connection whose open transaction holds the claim. Writes made with it commit together with
   * the "fired" mark (e.g. scheduleInTx for a follow-up timer, or rescheduling this very id to make a
   * recurring timer: the poller then leaves the row pending). Never call begin/commit/rollback/release on it.
   */
  readonly client: pg.PoolClient;
  /** Aborted when the handler exceeds handlerTimeoutMs. */
  readonly signal: AbortSignal;
  /** 1 for the first try; deadline.attempts + 1. */
  readonly attempt: number;
}

/** Must be idempotent: deadline.id is the message id. Throw (or reject) to have it retried with backoff. */
export type DeadlineHandler<P = unknown> = {
  // Method syntax makes the parameter bivariant, so a handler typed for its own payload fits a registry.
  bivarianceHack(deadline: Deadline<P>, context: DeadlineFireContext): Promise<void>;
}['bivarianceHack'];

export type DeadlineHandlers = Readonly<Record<string, DeadlineHandler>>;

/** Pino-compatible (fields first, then message). Fields never contain a payload. */
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
  /** Failed attempts after which a row is parked as 'failed'. Default 10. */
  readonly maxAttempts?: number;
  readonly backoff?: DeadlineBackoff;
  /** Real-time bound of one handler run. Default 60 s. */
  readonly handlerTimeoutMs?: number;
  readonly logger?: DeadlineLogger;
}

export interface TickResult {
  /** Rows whose handler succeeded in this tick. */
  readonly fired: number;
  /** Those rows, in the order they fired. */
  readonly firedDeadlines: readonly FiredDeadline[];
  /** Handler attempts that failed in this tick (including those parked). */
  readonly failed: number;
  /** Of those, rows that reached maxAttempts and are now status 'failed'. */
  readonly parked: number;
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

/** Delay before the next try after `failures` failed attempts (1 → base). */
export function backoffDelayMs(failures: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
}

const MAX_ERROR_LENGTH = 1000;
const MAX_TIMER_MS = 2_147_483_647;
/** How long recording a timed-out attempt waits for the row lock of the terminated session. */
const RELOCK_TIMEOUT_MS = 10_000;

// The ordering expression is the one indexed by lethe_deadlines_due_idx (migrations.ts).
const CLAIM_SQL = `
  select ${DEADLINE_COLUMNS}, xmin::text as row_version
    from lethe_deadlines
   where status = 'pending' and coalesce(next_attempt_at, due_at) <= $1
   order by coalesce(next_attempt_at, due_at), id
   limit 1
   for update skip locked`;

// xmin guard: if the handler itself rescheduled or cancelled the row (via context.client), keep that.
const MARK_FIRED_SQL = `
  update lethe_deadlines
     set status = 'fired', fired_at = $3, updated_at = $3, next_attempt_at = null
   where id = $1 and xmin = $2::xid`;

const RECORD_FAILURE_SQL = `
  update lethe_deadlines
     set attempts = $2, last_error = $3, status = $4, next_attempt_at = $5, updated_at = $6
   where id = $1`;

const SAVEPOINT = 'lethe_deadline_handler';

type ClaimedRow = DeadlineRow & { row_version: string };
type RowOutcome = 'none' | 'fired' | 'retry' | 'parked';
type HandlerRun = { status: 'ok' } | { status: 'failed' | 'timed-out'; error: unknown };
interface BackendIdentity {
  pid: number;
  start: string;
}

export class DeadlinePoller {
  private readonly batchSize: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly handlerTimeoutMs: number;
  private readonly logger: DeadlineLogger | undefined;
  private readonly handlers: DeadlineHandlers;
  private readonly running = new Set<Promise<void>>();
  private readonly backends = new WeakMap<pg.PoolClient, BackendIdentity>();
  private stopping = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    handlers: DeadlineHandlers,
    options: DeadlinePollerOptions = {},
  ) {
    this.handlers = { ...handlers };
    this.batchSize = positiveInteger('batchSize', options.batchSize ?? 100);
    this.maxAttempts = positiveInteger('maxAttempts', options.maxAttempts ?? 10);
    this.backoffBaseMs = positiveNumber('backoff.baseMs', options.backoff?.baseMs ?? 10_000);
    this.backoffMaxMs = positiveNumber('backoff.maxMs', options.backoff?.maxMs ?? 3_600_000);
    if (this.backoffMaxMs < this.backoffBaseMs) throw new RangeError('backoff.maxMs must not be below backoff.baseMs');
    this.handlerTimeoutMs = positiveNumber('handlerTimeoutMs', options.handlerTimeoutMs ?? 60_000);
    if (this.handlerTimeoutMs > MAX_TIMER_MS) throw new RangeError(`handlerTimeoutMs must be at most ${MAX_TIMER_MS}`);
    this.logger = options.logger;
  }

  /**
   * Fires up to batchSize due deadlines, one transaction each. Safe to call concurrently, from this
   * or other instances. Rejects on a database error (the rows involved stay pending and due).
   */
  async tick(): Promise<TickResult> {
    let fired = 0;
    let failed = 0;
    let parked = 0;
    const firedDeadlines: FiredDeadline[] = [];
    if (this.stopping) return { fired, firedDeadlines, failed, parked };
    const run = (async () => {
      for (let i = 0; i < this.batchSize && !this.stopping; i++) {
        const { outcome, deadline } = await this.fireNext();
        if (outcome === 'none') break;
        if (outcome === 'fired') {
          fired++;
          firedDeadlines.push({ id: deadline!.id, kind: deadline!.kind });
        } else failed++;
        if (outcome === 'parked') parked++;
      }
    })();
    this.running.add(run);
    try {
      await run;
    } finally {
      this.running.delete(run);
    }
    return { fired, firedDeadlines, failed, parked };
  }

  /** Stops claiming new rows and waits for the ticks in progress (bounded by handlerTimeoutMs). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running]);
  }

  private async fireNext(): Promise<{ outcome: RowOutcome; deadline?: Deadline }> {
    const client = await this.pool.connect();
    let released = false;
    try {
      const backend = await this.backendOf(client);
      await client.query('begin');
      const claimed = await client.query<ClaimedRow>(CLAIM_SQL, [this.clock.now()]);
      const row = claimed.rows[0];
      if (!row) {
        await client.query('commit');
        return { outcome: 'none' };
      }
      const deadline = toDeadline(row);
      const attempt = deadline.attempts + 1;
      await client.query(`savepoint ${SAVEPOINT}`);
      const run = await this.runHandler(client, deadline, attempt);

      if (run.status === 'timed-out') {
        // The handler may still be using the connection: discard it rather than share it.
        released = true;
        client.release(new DeadlineHandlerTimeoutError(this.handlerTimeoutMs));
        // The server may still report the termination on this dying connection; that is expected
        // and must not surface as a pool 'error' event (which crashes a process without a listener).
        client.removeAllListeners('error');
        client.on('error', () => undefined);
        await this.terminate(backend);
        return { outcome: await this.recordTimedOut(deadline, row.row_version, attempt, run.error), deadline };
      }

      let failure: unknown;
      if (run.status === 'ok') {
        let marked: number | null = null;
        try {
          marked = (await client.query(MARK_FIRED_SQL, [deadline.id, row.row_version, this.clock.now()])).rowCount ?? 0;
        } catch (error) {
          // E.g. the handler swallowed a failed query and left the transaction aborted: that is a failure.
          failure = error;
        }
        if (marked !== null) {
          await client.query('commit');
          this.logger?.info?.(
            fields(deadline, attempt),
            marked === 0 ? 'deadline handler changed its own deadline; left as it set it' : 'deadline fired',
          );
          return { outcome: 'fired', deadline };
        }
      } else {
        failure = run.error;
      }

      await client.query(`rollback to savepoint ${SAVEPOINT}`);
      const outcome = await this.recordFailure(client, deadline, attempt, failure);
      await client.query('commit');
      return { outcome, deadline };
    } catch (error) {
      if (!released) {
        released = true;
        // A connection in an unknown state never goes back to the pool.
        client.release(error instanceof Error ? error : new Error(String(error)));
      }
      throw error;
    } finally {
      if (!released) client.release();
    }
  }

  private async runHandler(client: pg.PoolClient, deadline: Deadline, attempt: number): Promise<HandlerRun> {
    const handler = Object.hasOwn(this.handlers, deadline.kind) ? this.handlers[deadline.kind] : undefined;
    if (!handler) return { status: 'failed', error: new UnknownDeadlineKindError(deadline.kind) };
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<HandlerRun>((resolve) => {
      timer = setTimeout(() => {
        const error = new DeadlineHandlerTimeoutError(this.handlerTimeoutMs);
        controller.abort(error);
        resolve({ status: 'timed-out', error });
      }, this.handlerTimeoutMs);
    });
    const work = Promise.resolve()
      .then(() => handler(deadline, { client, signal: controller.signal, attempt }))
      .then(
        (): HandlerRun => ({ status: 'ok' }),
        (error: unknown): HandlerRun => ({ status: 'failed', error }),
      );
    try {
      return await Promise.race([work, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async recordFailure(q: pg.ClientBase, deadline: Deadline, attempt: number, error: unknown): Promise<'retry' | 'parked'> {
    const message = describeError(error);
    const now = this.clock.now();
    const park = attempt >= this.maxAttempts;
    const nextAttemptAt = park ? null : new Date(now.getTime() + backoffDelayMs(attempt, this.backoffBaseMs, this.backoffMaxMs));
    await q.query(RECORD_FAILURE_SQL, [deadline.id, attempt, message, park ? 'failed' : 'pending', nextAttemptAt, now]);
    if (park) {
      this.logger?.error({ ...fields(deadline, attempt), error: message }, `deadline handler failed ${attempt} times; parked as failed`);
      return 'parked';
    }
    this.logger?.warn(
      { ...fields(deadline, attempt), error: message, nextAttemptAt: nextAttemptAt?.toISOString() },
      'deadline handler failed; will retry',
    );
    return 'retry';
  }

  /** After a timeout: re-lock the row (once the terminated session let go) and count the attempt. */
  private async recordTimedOut(deadline: Deadline, version: string, attempt: number, error: unknown): Promise<'retry' | 'parked'> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      await client.query(`set local lock_timeout = ${RELOCK_TIMEOUT_MS}`);
      const current = await client.query<{ status: string; row_version: string }>(
        `select status, xmin::text as row_version from lethe_deadlines where id = $1 for update`,
        [deadline.id],
      );
      const row = current.rows[0];
      if (!row || row.status !== 'pending' || row.row_version !== version) {
        // Someone else fired, rescheduled or already recorded it in the meantime: theirs stands.
        await client.query('commit');
        this.logger?.warn({ ...fields(deadline, attempt), error: describeError(error) }, 'deadline handler timed out; row changed meanwhile');
        return 'retry';
      }
      const outcome = await this.recordFailure(client, deadline, attempt, error);
      await client.query('commit');
      return outcome;
    } catch (failure) {
      await client.query('rollback').catch(() => undefined);
      this.logger?.warn(
        { ...fields(deadline, attempt), error: describeError(failure) },
        'deadline handler timed out and the attempt could not be recorded; the row stays due',
      );
      return 'retry';
    } finally {
      client.release();
    }
  }

  /** pid and start time of the connection's backend, so a timeout never terminates a reused pid. */
  private async backendOf(client: pg.PoolClient): Promise<BackendIdentity> {
    const known = this.backends.get(client);
    if (known) return known;
    const result = await client.query<{ pid: number; start: string }>(
      `select pid, backend_start::text as start from pg_stat_activity where pid = pg_backend_pid()`,
    );
    const identity = result.rows[0] ?? { pid: -1, start: '' };
    this.backends.set(client, identity);
    return identity;
  }

  private async terminate(backend: BackendIdentity): Promise<void> {
    try {
      await this.pool.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where pid = $1 and backend_start::text = $2`,
        [backend.pid, backend.start],
      );
    } catch (error) {
      this.logger?.warn({ pid: backend.pid, error: describeError(error) }, 'could not terminate the session of a timed-out deadline handler');
    }
  }
}

function fields(deadline: Deadline, attempt: number): Record<string, unknown> {
  return { deadlineId: deadline.id, kind: deadline.kind, dueAt: deadline.dueAt.toISOString(), attempt };
}

/** Name and message only (never the payload, never a stack), bounded, storable as text. */
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
