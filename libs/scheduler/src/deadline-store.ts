// Writes and reads of the deadlines table. Firing is the poller's job (deadline-poller.ts).
//
// Semantics, by the status of the row with that id:
//   none       schedule → inserted ('scheduled')
//   pending    schedule → due time and payload replaced, attempts/backoff reset ('rescheduled'),
//              or 'unchanged' when both are equal (a replayed schedule keeps its retry state);
//              a different kind is a programming error (DeadlineKindMismatchError).
//              cancel → 'cancelled'
//   fired      schedule/cancel change nothing and say so ('already-fired'): a timer that went off is
//              never revived by a replayed or late command. Use a new id for a new timer.
//   cancelled  likewise ('already-cancelled').
//   failed     likewise ('already-failed'); ops bring it back with requeue().
// rearm (rearmInTx) is schedule for a watch timer whose due time its one owner recomputes from state
// each time (compliance checks): a fired or cancelled row of the same kind is made pending again
// (re-firing it repeats no one-shot effect); a failed one is left for ops, like schedule.
// A row being fired is only claimed (a lease, deadline-poller.ts), not locked, so schedule/cancel
// never wait for a handler. Each of them bumps the row's revision, and the poller records its outcome
// only if the revision is still the one it claimed: a cancel while the handler runs ends the row
// 'cancelled' (never 'fired', even if the handler went through: its effects may exist, which is why
// handlers re-check their aggregate), and a reschedule leaves the row pending with the new due time
// and payload, fired again then. In both cases the poller just releases its claim.
import type pg from 'pg';
import type { Clock } from '@lethe/clock';
import {
  DEADLINE_COLUMNS,
  isDeadlineStatus,
  toDeadline,
  toJson,
  type Deadline,
  type DeadlineRow,
  type DeadlineStatus,
  type Queryable,
} from './deadline.js';

export type ScheduleOutcome =
  | 'scheduled'
  | 'rescheduled'
  | 'unchanged'
  | 'already-fired'
  | 'already-cancelled'
  | 'already-failed';

export interface ScheduleResult {
  readonly outcome: ScheduleOutcome;
  /** The row as it is after the call. */
  readonly deadline: Deadline;
}

export type CancelOutcome = 'cancelled' | 'not-found' | 'already-fired' | 'already-cancelled' | 'already-failed';

export interface CancelResult {
  readonly outcome: CancelOutcome;
  readonly deadline: Deadline | null;
}

export type RequeueOutcome = 'requeued' | 'not-found' | 'not-failed';

export interface RequeueResult {
  readonly outcome: RequeueOutcome;
  readonly deadline: Deadline | null;
}

export interface ListDeadlinesFilter {
  readonly status?: DeadlineStatus;
  readonly kind?: string;
  /** Default 100, at most 1000. Ordered by due time, then id. */
  readonly limit?: number;
}

/** A page of the schedule asked of `upcoming`. */
export interface UpcomingFilter {
  /** Only timers of these kinds (at least one). */
  readonly kinds: readonly string[];
  /** Due at or after this instant. */
  readonly from: Date;
  /** Due strictly before this instant; null: no bound. */
  readonly to: Date | null;
  /** The (dueAt, id) of the last timer of the previous page; null for the first page. */
  readonly after: { readonly dueAt: Date; readonly id: string } | null;
  /** 1..10000 (a reader asks one more than it shows, to tell whether more follow). */
  readonly limit: number;
}

/** A timer still to fire (`pending`) or parked (`failed`): never its claim's token or owner, nor its last error. */
export interface UpcomingDeadline {
  readonly id: string;
  readonly kind: string;
  readonly dueAt: Date;
  readonly payload: unknown;
  readonly status: 'pending' | 'failed';
  readonly attempts: number;
  /** When a failed attempt is retried (null before the first failure). */
  readonly nextAttemptAt: Date | null;
  /** An instance holds an unexpired claim on it (database time): it is being fired now. */
  readonly claimed: boolean;
}

export class DeadlineKindMismatchError extends Error {
  constructor(readonly deadlineId: string, readonly existingKind: string, readonly requestedKind: string) {
    super(`deadline ${deadlineId} is pending with kind '${existingKind}', cannot reschedule it as '${requestedKind}'`);
    this.name = 'DeadlineKindMismatchError';
  }
}

const ALREADY: Record<Exclude<DeadlineStatus, 'pending'>, 'already-fired' | 'already-cancelled' | 'already-failed'> = {
  fired: 'already-fired',
  cancelled: 'already-cancelled',
  failed: 'already-failed',
};

// schedule(): $1 id, $2 kind, $3 due at, $4 payload (JSON text), $5 now. Only a pending row of the same
// kind is rescheduled (a claim does not stop it), and only when its due time or payload differ.
const RESCHEDULE_PENDING_SQL = `
  update lethe_deadlines
     set due_at = $3, payload = $4::jsonb, attempts = 0, last_error = null, next_attempt_at = null, updated_at = $5,
         revision = revision + 1
   where id = $1 and status = 'pending' and kind = $2
     and (due_at is distinct from $3 or payload is distinct from $4::jsonb)`;

// All three steps in one statement. Its parts share one snapshot: when the insert inserted, the update
// cannot see the row; when the update wrote, the last part reads the row as it was before, so each is
// taken only when the ones before it did nothing. No row at all: see scheduleWith.
const SCHEDULE_SQL = `
  with inserted as (
    insert into lethe_deadlines (id, kind, due_at, payload, status, attempts, created_at, updated_at)
    values ($1, $2, $3, $4::jsonb, 'pending', 0, $5, $5)
    on conflict (id) do nothing
    returning ${DEADLINE_COLUMNS}, 'scheduled' as outcome
  ), rescheduled as (
    ${RESCHEDULE_PENDING_SQL.trim()} and not exists (select 1 from inserted)
    returning ${DEADLINE_COLUMNS}, 'rescheduled' as outcome
  )
  select * from inserted
  union all select * from rescheduled
  union all select ${DEADLINE_COLUMNS}, 'found' as outcome from lethe_deadlines
   where id = $1 and not exists (select 1 from inserted) and not exists (select 1 from rescheduled)`;

export class PostgresDeadlineStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
  ) {}

  /** Schedules (or reschedules a pending) deadline; see the table at the top of this file. */
  schedule(id: string, dueAt: Date, kind: string, payload: unknown = null): Promise<ScheduleResult> {
    return this.scheduleWith(this.pool, id, dueAt, kind, payload);
  }

  /**
   * schedule() on the caller's connection, typically inside the transaction that also writes a
   * processor's checkpoint, so the timer exists exactly when the checkpoint says the event was handled.
   */
  scheduleInTx(client: pg.ClientBase, id: string, dueAt: Date, kind: string, payload: unknown = null): Promise<ScheduleResult> {
    return this.scheduleWith(client, id, dueAt, kind, payload);
  }

  /**
   * Makes the watch timer `id` pending at `dueAt` (see rearm in the table above), in the caller's
   * transaction: one statement, which writes nothing when the row is already pending at that time with
   * that payload. Says whether it wrote. A row of another kind is left alone (false).
   */
  async rearmInTx(client: pg.ClientBase, id: string, dueAt: Date, kind: string, payload: unknown = null): Promise<boolean> {
    return (await this.rearmAllInTx(client, kind, [{ id, dueAt, payload }])).has(id);
  }

  /**
   * rearmInTx for several watch timers of one kind in one statement (a processor's batch re-arms a timer
   * per tenant it judged). Returns the ids it wrote. Ids must be distinct.
   * @throws TypeError for a bad id, kind or date, or an id given twice, before anything is written.
   */
  async rearmAllInTx(client: pg.ClientBase, kind: string, timers: readonly { readonly id: string; readonly dueAt: Date; readonly payload?: unknown }[]): Promise<Set<string>> {
    if (typeof kind !== 'string' || kind === '') throw new TypeError('deadline kind must be a non-empty string');
    for (const { id, dueAt } of timers) {
      validateId(id);
      if (!(dueAt instanceof Date) || Number.isNaN(dueAt.getTime())) throw new TypeError('dueAt must be a valid Date');
    }
    if (new Set(timers.map((t) => t.id)).size !== timers.length) throw new TypeError('each timer id may be re-armed once per call');
    if (timers.length === 0) return new Set();
    const written = await client.query<{ id: string }>(
      `insert into lethe_deadlines as d (id, kind, due_at, payload, status, attempts, created_at, updated_at)
       select t.id, $2, t.due_at, t.payload, 'pending', 0, $5, $5 from unnest($1::text[], $3::timestamptz[], $4::jsonb[]) as t(id, due_at, payload)
       on conflict (id) do update
          set due_at = excluded.due_at, payload = excluded.payload, status = 'pending', attempts = 0, last_error = null,
              next_attempt_at = null, fired_at = null, updated_at = excluded.updated_at, revision = d.revision + 1
        where d.kind = excluded.kind
          and (d.status in ('fired', 'cancelled') or (d.status = 'pending' and (d.due_at is distinct from excluded.due_at or d.payload is distinct from excluded.payload)))
       returning d.id`,
      [timers.map((t) => t.id), kind, timers.map((t) => t.dueAt), timers.map((t) => toJson(t.payload ?? null)), this.clock.now()],
    );
    return new Set(written.rows.map((r) => r.id));
  }

  /**
   * Inserts the deadline unless a row with this id exists, whatever its status, and says whether it
   * did. For a timer that keeps moving itself: ensuring it at boot or on a replayed event leaves its
   * due time alone (schedule() would move it back).
   */
  async scheduleIfAbsent(id: string, dueAt: Date, kind: string, payload: unknown = null, client?: pg.ClientBase): Promise<boolean> {
    validateId(id);
    if (typeof kind !== 'string' || kind === '') throw new TypeError('deadline kind must be a non-empty string');
    if (!(dueAt instanceof Date) || Number.isNaN(dueAt.getTime())) throw new TypeError('dueAt must be a valid Date');
    const now = this.clock.now();
    const inserted = await (client ?? this.pool).query(
      `insert into lethe_deadlines (id, kind, due_at, payload, status, attempts, created_at, updated_at)
       values ($1, $2, $3, $4::jsonb, 'pending', 0, $5, $5)
       on conflict (id) do nothing`,
      [id, kind, dueAt, toJson(payload), now],
    );
    return inserted.rowCount === 1;
  }

  /** pending → cancelled; anything else is left alone and reported. */
  cancel(id: string): Promise<CancelResult> {
    return this.cancelWith(this.pool, id);
  }

  cancelInTx(client: pg.ClientBase, id: string): Promise<CancelResult> {
    return this.cancelWith(client, id);
  }

  /** Ops: failed → pending with a fresh attempt budget, due at once (last_error is kept). */
  async requeue(id: string): Promise<RequeueResult> {
    const now = this.clock.now();
    const updated = await this.pool.query<DeadlineRow>(
      `update lethe_deadlines
          set status = 'pending', attempts = 0, next_attempt_at = null, updated_at = $2, revision = revision + 1
        where id = $1 and status = 'failed'
        returning ${DEADLINE_COLUMNS}`,
      [id, now],
    );
    if (updated.rows[0]) return { outcome: 'requeued', deadline: toDeadline(updated.rows[0]) };
    const existing = await this.get(id);
    return { outcome: existing ? 'not-failed' : 'not-found', deadline: existing };
  }

  async get(id: string): Promise<Deadline | null> {
    return getWith(this.pool, id);
  }

  async list(filter: ListDeadlinesFilter = {}): Promise<Deadline[]> {
    if (filter.status !== undefined && !isDeadlineStatus(filter.status)) {
      throw new TypeError(`unknown deadline status: ${String(filter.status)}`);
    }
    const limit = filter.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new RangeError('limit must be an integer in 1..1000');
    const result = await this.pool.query<DeadlineRow>(
      `select ${DEADLINE_COLUMNS} from lethe_deadlines
        where ($1::text is null or status = $1) and ($2::text is null or kind = $2)
        order by due_at, id
        limit $3`,
      [filter.status ?? null, filter.kind ?? null, limit],
    );
    return result.rows.map((r) => toDeadline(r));
  }

  /**
   * Timers still to fire or parked, of the given kinds, due in [from, to), in (dueAt, id) order after
   * `after`: one range scan of lethe_deadlines_schedule_idx per page, however many rows have fired.
   */
  async upcoming(filter: UpcomingFilter): Promise<UpcomingDeadline[]> {
    if (filter.kinds.length === 0) throw new RangeError('upcoming needs at least one kind');
    if (!Number.isInteger(filter.limit) || filter.limit < 1 || filter.limit > 10_000) throw new RangeError('limit must be an integer in 1..10000');
    const values: unknown[] = [filter.kinds, filter.from, filter.limit];
    const where = [`status in ('pending', 'failed')`, 'kind = any($1::text[])', 'due_at >= $2'];
    if (filter.to) where.push(`due_at < $${values.push(filter.to)}`);
    if (filter.after) where.push(`(due_at, id) > ($${values.push(filter.after.dueAt)}::timestamptz, $${values.push(filter.after.id)}::text)`);
    const result = await this.pool.query<{
      id: string;
      kind: string;
      due_at: Date;
      payload: unknown;
      status: 'pending' | 'failed';
      attempts: number;
      next_attempt_at: Date | null;
      claimed: boolean;
    }>(
      `select id, kind, due_at, payload, status, attempts, next_attempt_at, coalesce(claimed_until > now(), false) as claimed
         from lethe_deadlines
        where ${where.join(' and ')}
        order by due_at, id
        limit $3`,
      values,
    );
    return result.rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      dueAt: r.due_at,
      payload: r.payload,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: r.next_attempt_at,
      claimed: r.claimed,
    }));
  }

  /** Earliest instant at which a pending deadline becomes due (its retry time if it failed), or null. */
  async nextDueAt(): Promise<Date | null> {
    const result = await this.pool.query<{ next: Date | null }>(
      `select min(coalesce(next_attempt_at, due_at)) as next from lethe_deadlines where status = 'pending'`,
    );
    return result.rows[0]?.next ?? null;
  }

  /** Number of rows per status, e.g. for a gauge and an alert on 'failed' > 0. */
  async countByStatus(): Promise<Record<DeadlineStatus, number>> {
    const result = await this.pool.query<{ status: DeadlineStatus; n: string }>(
      `select status, count(*) as n from lethe_deadlines group by status`,
    );
    const counts: Record<DeadlineStatus, number> = { pending: 0, fired: 0, cancelled: 0, failed: 0 };
    for (const row of result.rows) counts[row.status] = Number(row.n);
    return counts;
  }

  private async scheduleWith(q: Queryable, id: string, dueAt: Date, kind: string, payload: unknown): Promise<ScheduleResult> {
    validateId(id);
    if (typeof kind !== 'string' || kind === '') throw new TypeError('deadline kind must be a non-empty string');
    if (!(dueAt instanceof Date) || Number.isNaN(dueAt.getTime())) throw new TypeError('dueAt must be a valid Date');
    const values = [id, kind, dueAt, toJson(payload), this.clock.now()];

    // One round trip for what is nearly always asked (a saga re-deriving its timers on every event):
    // insert, else reschedule the pending row, else read it as it stands.
    const once = await q.query<DeadlineRow & { outcome: 'scheduled' | 'rescheduled' | 'found' }>(SCHEDULE_SQL, values);
    const row = once.rows[0];
    if (row) return this.outcomeOf(row.outcome, toDeadline(row), id, kind);

    // The id was inserted by a transaction that committed after this statement's snapshot (the insert
    // saw the conflict, the rest of the statement did not see the row): decide again, a statement at a time.
    const inserted = await q.query<DeadlineRow>(
      `insert into lethe_deadlines (id, kind, due_at, payload, status, attempts, created_at, updated_at)
       values ($1, $2, $3, $4::jsonb, 'pending', 0, $5, $5)
       on conflict (id) do nothing
       returning ${DEADLINE_COLUMNS}`,
      values,
    );
    if (inserted.rows[0]) return { outcome: 'scheduled', deadline: toDeadline(inserted.rows[0]) };
    const rescheduled = await q.query<DeadlineRow>(`${RESCHEDULE_PENDING_SQL} returning ${DEADLINE_COLUMNS}`, values);
    if (rescheduled.rows[0]) return { outcome: 'rescheduled', deadline: toDeadline(rescheduled.rows[0]) };
    const existing = await getWith(q, id);
    if (!existing) throw new Error(`deadline ${id} vanished while being scheduled`); // rows are never deleted
    return this.outcomeOf('found', existing, id, kind);
  }

  private outcomeOf(outcome: 'scheduled' | 'rescheduled' | 'found', deadline: Deadline, id: string, kind: string): ScheduleResult {
    if (outcome !== 'found') return { outcome, deadline };
    if (deadline.status !== 'pending') return { outcome: ALREADY[deadline.status], deadline };
    if (deadline.kind !== kind) throw new DeadlineKindMismatchError(id, deadline.kind, kind);
    return { outcome: 'unchanged', deadline };
  }

  private async cancelWith(q: Queryable, id: string): Promise<CancelResult> {
    validateId(id);
    const now = this.clock.now();
    const updated = await q.query<DeadlineRow>(
      `update lethe_deadlines set status = 'cancelled', next_attempt_at = null, updated_at = $2, revision = revision + 1
        where id = $1 and status = 'pending'
        returning ${DEADLINE_COLUMNS}`,
      [id, now],
    );
    if (updated.rows[0]) return { outcome: 'cancelled', deadline: toDeadline(updated.rows[0]) };
    const existing = await getWith(q, id);
    if (!existing) return { outcome: 'not-found', deadline: null };
    // Pending here means the row was inserted after the update's snapshot was taken: try again.
    if (existing.status === 'pending') return this.cancelWith(q, id);
    return { outcome: ALREADY[existing.status], deadline: existing };
  }
}

async function getWith(q: Queryable, id: string): Promise<Deadline | null> {
  const result = await q.query<DeadlineRow>(`select ${DEADLINE_COLUMNS} from lethe_deadlines where id = $1`, [id]);
  return result.rows[0] ? toDeadline(result.rows[0]) : null;
}

function validateId(id: string): void {
  if (typeof id !== 'string' || id === '') throw new TypeError('deadline id must be a non-empty string');
}
