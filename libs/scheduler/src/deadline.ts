// A deadline is a durable timer: "at dueAt, run the handler registered for kind with this payload".
// Its id is also the message id the handler dedupes on, so a re-fire after a crash is harmless.
import type pg from 'pg';

export const DEADLINE_STATUSES = ['pending', 'fired', 'cancelled', 'failed'] as const;
export type DeadlineStatus = (typeof DEADLINE_STATUSES)[number];

export interface Deadline<P = unknown> {
  readonly id: string;
  /** Which handler fires it. */
  readonly kind: string;
  readonly dueAt: Date;
  /** Any JSON value; it round-trips through jsonb (so a Date comes back as its ISO string). */
  readonly payload: P;
  readonly status: DeadlineStatus;
  /** Failed handler attempts so far (a successful attempt does not count). */
  readonly attempts: number;
  /** Message of the latest failed attempt, kept after a later success. */
  readonly lastError: string | null;
  /** When a failed deadline is tried again (null until the first failure); it is due at max(dueAt, this). */
  readonly nextAttemptAt: Date | null;
  readonly createdAt: Date;
  readonly firedAt: Date | null;
  readonly updatedAt: Date;
}

/** What a `query` needs: a pg.Pool, pg.Client or pg.PoolClient. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

export interface DeadlineRow {
  id: string;
  kind: string;
  due_at: Date;
  payload: unknown;
  status: DeadlineStatus;
  attempts: number;
  last_error: string | null;
  next_attempt_at: Date | null;
  created_at: Date;
  fired_at: Date | null;
  updated_at: Date;
}

export const DEADLINE_COLUMNS =
  'id, kind, due_at, payload, status, attempts, last_error, next_attempt_at, created_at, fired_at, updated_at';

export function toDeadline<P = unknown>(row: DeadlineRow): Deadline<P> {
  return {
    id: row.id,
    kind: row.kind,
    dueAt: row.due_at,
    payload: row.payload as P,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    firedAt: row.fired_at,
    updatedAt: row.updated_at,
  };
}

export function isDeadlineStatus(value: unknown): value is DeadlineStatus {
  return typeof value === 'string' && (DEADLINE_STATUSES as readonly string[]).includes(value);
}

/** JSON text for a jsonb parameter (pg would turn a JS array into a PostgreSQL array literal). */
export function toJson(payload: unknown): string {
  const json = JSON.stringify(payload ?? null);
  if (json === undefined) throw new TypeError('deadline payload must be JSON-serialisable');
  return json;
}
