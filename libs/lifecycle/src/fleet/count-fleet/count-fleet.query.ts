import { Query } from '@nestjs/cqrs';

/**
 * The fleet in numbers, as the read models hold it: counts by status and by event type, and the
 * nearest deadline of a shred not verified yet. Never a tenant id.
 */
export interface FleetCounts {
  /** Tenants by status (`active`, `shred-scheduled`, `shredding`, `shredded`, `verified`, `breached`); 0 for none. */
  readonly tenants: Readonly<Record<string, number>>;
  /** Shreds, current and past, by progress (the tenant statuses but `active`, and `cancelled`); 0 for none. */
  readonly shreds: Readonly<Record<string, number>>;
  /**
   * The earliest deadline (ISO 8601) among shreds still owed a verification and not breached yet
   * (scheduled, shredding or shredded); null when there is none.
   */
  readonly nearestShredDeadline: string | null;
  /** Key versions by status (`active`, `superseded`, `retired`, `destroyed`); 0 for none. */
  readonly keyVersions: Readonly<Record<string, number>>;
  /** Events stored so far, by type, for every type of the domain (0 for none); others are left out. */
  readonly events: Readonly<Record<string, number>>;
}

export class CountFleetQuery extends Query<FleetCounts> {}
