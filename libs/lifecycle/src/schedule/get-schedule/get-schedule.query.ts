import { Query } from '@nestjs/cqrs';
import type { Listing, Page, PageRequest } from '@lethe/readmodel';
import type { ScheduleKind, ScheduleSubject } from '../timer-kinds.js';

/** GET /v1/schedule pages in (dueAt, timer) order. */
export const SCHEDULE_LISTING: Listing = { name: 'schedule', key: ['instant', 'string'] };

/**
 * `pending`: not due yet; `late`: due on the engine's clock but not fired yet (waiting for a poller,
 * or retrying after failures); `claimed`: an instance is firing it now; `failed`: parked after too
 * many failures (ops requeue it).
 */
export const SCHEDULE_STATES = ['pending', 'late', 'claimed', 'failed'] as const;
export type ScheduleState = (typeof SCHEDULE_STATES)[number];

/** One timer still to fire, as ops see it: never its claim's token or owner, its error or its payload. */
export interface ScheduleItem {
  readonly kind: ScheduleKind;
  /** Null for a platform timer (the former fleet-wide key detection). */
  readonly tenantId: string | null;
  /** ISO 8601 instant it is due at. */
  readonly dueAt: string;
  readonly subject: ScheduleSubject | null;
  readonly state: ScheduleState;
  /** Failed attempts so far. */
  readonly attempts: number;
}

export interface ScheduleFilter {
  /** Only these kinds; undefined: every kind. */
  readonly kinds?: readonly ScheduleKind[];
  /** Due at or after; undefined: now on the engine's clock. */
  readonly from?: Date;
  /** Due strictly before; undefined: no bound. */
  readonly to?: Date;
}

/** What is due next across the fleet, from the durable timers, ordered by due time. */
export class GetScheduleQuery extends Query<Page<ScheduleItem>> {
  constructor(
    readonly filter: ScheduleFilter,
    readonly page: PageRequest,
  ) {
    super();
  }
}
