import { Query } from '@nestjs/cqrs';
import type { BreakGlassClaim } from '../../break-glass/privileged-use.js';

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
 * e.g. to check, under a grant, that a restored database is readable again. It reads nothing of the
 * tenant's data but records the grant's use (or refusal) once the tenant and database are known.
 */
export class ReadSentinelQuery extends Query<SentinelRead> {
  constructor(
    readonly tenantId: string,
    readonly databaseId: string,
    /** The caller and the grant it names; undefined without a caller (refused as naming no grant). */
    readonly breakGlass: BreakGlassClaim | undefined,
  ) {
    super();
  }
}
