// How far the deadline pollers are behind, as any instance can read it from the table: the pending
// rows already due (by kind), how many of those have waited longer than a bound, the rows parked as
// failed, and how long the oldest due row has waited. For metrics and alerts: counts only, never ids
// or payloads. Both reads follow an index (lethe_deadlines_due_idx, lethe_deadlines_status_kind_idx),
// so their cost is the due and failed rows, not the fired history.
import type { Queryable } from './deadline.js';

export interface DeadlineBacklogOfKind {
  /** Pending and due at `now` (waiting for a poller, or being fired). */
  readonly due: number;
  /** Of those, due for longer than `lateAfterMs`. */
  readonly late: number;
  /** Parked after their last attempt failed (`failed`): they wait for ops (requeue). */
  readonly failed: number;
}

export interface DeadlineBacklog {
  readonly byKind: ReadonlyMap<string, DeadlineBacklogOfKind>;
  /** How long (ms, against `now`) the oldest due pending row has been due; 0 when none is due. */
  readonly oldestDueMs: number;
}

/**
 * `now`: the instant the pollers claim against (the engine's clock). A row is due at
 * coalesce(next_attempt_at, due_at), as the poller claims it.
 */
export async function readDeadlineBacklog(db: Queryable, now: Date, lateAfterMs: number): Promise<DeadlineBacklog> {
  const lateBefore = new Date(now.getTime() - lateAfterMs);
  const [due, failed] = await Promise.all([
    db.query<{ kind: string; due: string; late: string; oldest: Date }>(
      `select kind, count(*) as due, count(*) filter (where coalesce(next_attempt_at, due_at) <= $2) as late,
              min(coalesce(next_attempt_at, due_at)) as oldest
         from lethe_deadlines
        where status = 'pending' and coalesce(next_attempt_at, due_at) <= $1
        group by kind`,
      [now, lateBefore],
    ),
    db.query<{ kind: string; failed: string }>(`select kind, count(*) as failed from lethe_deadlines where status = 'failed' group by kind`),
  ]);
  const byKind = new Map<string, { due: number; late: number; failed: number }>();
  const of = (kind: string) => byKind.get(kind) ?? byKind.set(kind, { due: 0, late: 0, failed: 0 }).get(kind)!;
  let oldest: number | null = null;
  for (const row of due.rows) {
    Object.assign(of(row.kind), { due: Number(row.due), late: Number(row.late) });
    oldest = Math.min(oldest ?? Infinity, row.oldest.getTime());
  }
  for (const row of failed.rows) of(row.kind).failed = Number(row.failed);
  return { byKind, oldestDueMs: oldest === null ? 0 : Math.max(0, now.getTime() - oldest) };
}
