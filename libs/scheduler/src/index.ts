// Durable deadlines (ARCHITECTURE.md §4): timers live in PostgreSQL, are claimed by one instance at a
// time (a renewed lease), marked fired once, and survive crashes. The engine owns the ticking
// (@nestjs/schedule → tick()).
export {
  DEADLINE_STATUSES,
  type Deadline,
  type DeadlineStatus,
} from './deadline.js';
export { readDeadlineBacklog, type DeadlineBacklog, type DeadlineBacklogOfKind } from './deadline-backlog.js';
export { CreateDeadlines1764400000000, DeadlineClaims1764400000080, DeadlineScheduleIndex1764400000113, schedulerMigrations } from './migrations.js';
export {
  PostgresDeadlineStore,
  DeadlineKindMismatchError,
  type ScheduleOutcome,
  type ScheduleResult,
  type CancelOutcome,
  type CancelResult,
  type RequeueOutcome,
  type RequeueResult,
  type ListDeadlinesFilter,
  type UpcomingFilter,
  type UpcomingDeadline,
} from './deadline-store.js';
export {
  DeadlinePoller,
  UnknownDeadlineKindError,
  DeadlineHandlerTimeoutError,
  DeadlineClaimExpiredError,
  DeadlineClaimLostError,
  backoffDelayMs,
  type DeadlineHandler,
  type DeadlineHandlers,
  type DeadlineFireContext,
  type DeadlineLogger,
  type DeadlineBackoff,
  type DeadlinePollerOptions,
  type TickResult,
  type DrainResult,
  type FiredDeadline,
} from './deadline-poller.js';
