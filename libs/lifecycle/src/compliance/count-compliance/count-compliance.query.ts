import { Query } from '@nestjs/cqrs';

/**
 * How the whole fleet stands against P1, P2 and P3 at `at`, in numbers only (no tenant ids): what
 * GET /v1/compliance would list over all its pages, counted.
 */
export interface ComplianceTally {
  /** ISO 8601 instant (the engine's clock) every ring was judged at. */
  readonly at: string;
  /** Live (not shredded) key rings judged. */
  readonly rings: number;
  /** Violations as GET /v1/compliance lists them: P1 and P2 one per ring, P3 one per version or backup. */
  readonly violations: { readonly P1: number; readonly P2: number; readonly P3: number };
  /** Databases of live rings not yet on their ring's newest key version (re-protection pending). */
  readonly databasesBehind: number;
  /** Of those, the databases P2 reports: behind more than 24 hours after the newest version appeared. */
  readonly databasesOverdue: number;
}

/** Counts the compliance findings over every live key ring, a page of `pageSize` rings at a time. */
export class CountComplianceQuery extends Query<ComplianceTally> {
  constructor(readonly pageSize = 1000) {
    super();
  }
}
