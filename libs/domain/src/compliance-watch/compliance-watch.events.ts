// Events of a tenant's compliance watch (stream `compliance-<tenantId>`): when a broken promise
// (P1–P3, as complianceOf judges the key ring) began to be seen, and when it no longer was. Ids,
// instants and enumerated values only: key version, database and backup ids, never key material.
import type { DomainEvent } from '../shared/decider.js';
import type { KeyCustody } from '../tenant/tenant.events.js';

/** The promises the watch judges (P4 is the shred's own record: ShredDeadlineBreached). */
export type WatchedPromise = 'P1' | 'P2' | 'P3';

/** What is broken, as judged when the violation opened. */
export type ViolationDetail =
  /** P1: the newest version reached its age limit (the rotation period; 730 days client-held). */
  | {
      readonly problem: 'key-version-too-old';
      readonly keyCustody: KeyCustody;
      readonly keyVersionId: string;
      readonly createdAt: string;
      readonly limitDays: number;
    }
  /** P2: databases still on older versions more than 24 hours after the newest appeared. */
  | { readonly problem: 'databases-not-reprotected'; readonly keyVersionId: string; readonly databaseIds: readonly string[] }
  /** P3: a superseded version still not retired an hour after its retainUntil. */
  | { readonly problem: 'kept-after-retain-until'; readonly keyVersionId: string; readonly retainUntil: string }
  /** P3: a live backup needs versions already retired when it was recorded. */
  | { readonly problem: 'backup-needs-retired-key-version'; readonly backupId: string; readonly keyVersionIds: readonly string[]; readonly expiresAt: string };

/**
 * A violation began to be seen at `at`. `violationId` is stable for what is broken, and unique in the
 * fleet (`P1:<tenantId>:<keyVersionId>`, `P2:<tenantId>:<keyVersionId>`,
 * `P3:kept-after-retain-until:<tenantId>:<keyVersionId>`, `P3:backup-needs-retired-key-version:<tenantId>:<backupId>`):
 * the same problem is never open twice at once.
 */
export type ComplianceViolationOpened = DomainEvent<
  'ComplianceViolationOpened',
  { readonly tenantId: string; readonly promise: WatchedPromise; readonly violationId: string; readonly detail: ViolationDetail; readonly at: string }
>;

/** The violation opened at `openedAt` is no longer seen (fixed, or the ring was shredded) since `at`. */
export type ComplianceViolationClosed = DomainEvent<
  'ComplianceViolationClosed',
  { readonly tenantId: string; readonly promise: WatchedPromise; readonly violationId: string; readonly openedAt: string; readonly at: string }
>;

export type ComplianceWatchEvent = ComplianceViolationOpened | ComplianceViolationClosed;
