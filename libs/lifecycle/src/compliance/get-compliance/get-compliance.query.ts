import { Query } from '@nestjs/cqrs';
import type { P1Violation, P2Violation, P3Violation } from '@lethe/domain';
import type { Listing, PageRequest } from '@lethe/readmodel';

/** GET /v1/compliance pages over the live key rings in tenantId order. */
export const COMPLIANCE_LISTING: Listing = { name: 'compliance', key: ['string'] };

/**
 * A violation with its `violationId`: the id the compliance watch's ComplianceViolationOpened/-Closed
 * events (stream `compliance-<tenantId>`) and the `compliance.violation-*` integration events carry.
 */
export type Identified<V> = V & { readonly violationId: string };

/** The violations of P1, P2 and P3 among one page of live key rings (tenantId order), at `at`. */
export interface ComplianceReport {
  /** ISO 8601 instant the report was made at. */
  readonly at: string;
  readonly P1: readonly Identified<P1Violation>[];
  readonly P2: readonly Identified<P2Violation>[];
  readonly P3: readonly Identified<P3Violation>[];
  /** Where the next page of key rings starts; null on the last. */
  readonly nextCursor: string | null;
}

/** Which tenants break P1, P2 or P3 right now; a page covers `limit` live key rings. */
export class GetComplianceQuery extends Query<ComplianceReport> {
  constructor(readonly page: PageRequest) {
    super();
  }
}
