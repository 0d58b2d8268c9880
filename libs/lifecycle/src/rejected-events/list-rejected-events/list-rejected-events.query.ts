import { Query } from '@nestjs/cqrs';
import type { RejectedEventView } from '@lethe/readmodel';

export interface RejectedEvents {
  /** How many were rejected in all. */
  readonly total: number;
  /** The newest first, at most REJECTED_EVENTS_SHOWN. */
  readonly rejected: readonly RejectedEventView[];
}

export const REJECTED_EVENTS_SHOWN = 500;

/** Contract-stream events Lethe refused, with the count. */
export class ListRejectedEventsQuery extends Query<RejectedEvents> {}
