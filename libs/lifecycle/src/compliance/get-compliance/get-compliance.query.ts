import { Query } from '@nestjs/cqrs';
import type { PageRequest } from '../../paging/page.js';

export interface RotationViolation {
  readonly tenantId: string;
  readonly keyCustody: string;
  readonly newestKeyVersionId: string;
  readonly newestCreatedAt: string;
  readonly limitDays: number;
}

export interface ReprotectionViolation {
  readonly tenantId: string;
  readonly keyVersionId: string;
  readonly databases: readonly { readonly databaseId: string; readonly keyVersionId: string }[];
}

export type RetentionViolation =
  | { readonly tenantId: string; readonly keyVersionId: string; readonly retainUntil: string; readonly problem: 'kept-after-retain-until' }
  | {
      readonly tenantId: string;
      readonly backupId: string;
      readonly keyVersionIds: readonly string[];
      readonly expiresAt: string;
      readonly problem: 'backup-needs-retired-key-version';
    };

/** The violations of P1, P2 and P3 among one page of live key rings (tenantId order), at `at`. */
export interface ComplianceReport {
  /** ISO 8601 instant the report was made at. */
  readonly at: string;
  readonly P1: readonly RotationViolation[];
  readonly P2: readonly ReprotectionViolation[];
  readonly P3: readonly RetentionViolation[];
  /** Where the next page of key rings starts; null on the last. */
  readonly nextCursor: string | null;
}

/** Which tenants break P1, P2 or P3 right now; a page covers `limit` live key rings. */
export class GetComplianceQuery extends Query<ComplianceReport> {
  constructor(readonly page: PageRequest) {
    super();
  }
}
