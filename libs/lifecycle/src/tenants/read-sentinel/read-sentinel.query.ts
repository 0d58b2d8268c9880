import { Query } from '@nestjs/cqrs';

export interface SentinelRead {
  readonly tenantId: string;
  readonly databaseId: string;
  /** The read probe's outcome, as a shred's verification records it. */
  readonly outcome: string;
  readonly detail: string;
  readonly at: string;
}

/**
 * Reads a tenant database's sentinel through the read probe outside a shred (break-glass `probe.read`):
 * e.g. to check, under a grant, that a restored database is readable again.
 */
export class ReadSentinelQuery extends Query<SentinelRead> {
  constructor(
    readonly tenantId: string,
    readonly databaseId: string,
  ) {
    super();
  }
}
