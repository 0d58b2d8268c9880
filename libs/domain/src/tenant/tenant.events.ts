// Events of the tenant aggregate (stream `tenant-<tenantId>`). Instants are ISO 8601 UTC strings
// with milliseconds. No event carries key material: keys are named by their vault ids only.
import type { DomainEvent } from '../shared/decider.js';
import type { CalendarInputs } from '../shared/working-days.js';

export type KeyCustody = 'managed' | 'client';
export type BackupKeyMode = 'customer' | 'platform';

export type ShredTrigger =
  | { readonly kind: 'termination'; readonly terminationId: string; readonly contractId: string; readonly reason?: string }
  | { readonly kind: 'deletion-request'; readonly requestId: string; readonly requestedAt?: string };

export type ProbeOutcome = 'key-destroyed' | 'readable' | 'inconclusive';
export type BreachCause = 'late-notification' | 'not-verified-by-deadline';
export type ShredStep = 'destroy-keys' | 'purge-assets' | 'probe';

/** What a tenant is onboarded with: who it is, where (calendar), and how its data is protected. */
export interface TenantProfile {
  readonly tenantId: string;
  readonly jurisdiction: string;
  readonly timeZone: string;
  readonly excludedHolidayTypes: readonly string[];
  readonly keyCustody: KeyCustody;
  readonly backupKeyMode: BackupKeyMode;
  readonly databases: readonly { readonly databaseId: string }[];
  readonly shredGraceWorkingDays: number;
}

export type TenantOnboarded = DomainEvent<'TenantOnboarded', TenantProfile & { readonly at: string }>;
export type TenantKeyCreated = DomainEvent<
  'TenantKeyCreated',
  { readonly keyId: string; readonly keyVersionId: string; readonly source: 'onboarding'; readonly at: string }
>;
export type DatabaseProtected = DomainEvent<
  'DatabaseProtected',
  { readonly databaseId: string; readonly keyVersionId: string; readonly at: string }
>;
export type DeletionRequested = DomainEvent<
  'DeletionRequested',
  { readonly requestId: string; readonly requestedAt: string; readonly receivedAt: string }
>;
export type ShredScheduled = DomainEvent<
  'ShredScheduled',
  {
    readonly shredId: string;
    readonly trigger: ShredTrigger;
    readonly effectiveAt: string;
    readonly receivedAt: string;
    readonly deadline: string;
    readonly executeAt: string;
    readonly deletionWorkingDays: number;
    readonly graceWorkingDays: number;
    readonly calendar: CalendarInputs;
  }
>;
export type ShredCancelled = DomainEvent<'ShredCancelled', { readonly shredId: string; readonly reason: string; readonly at: string }>;
export type ShredExecutionStarted = DomainEvent<'ShredExecutionStarted', { readonly shredId: string; readonly at: string }>;
export type KeyDestroyed = DomainEvent<
  'KeyDestroyed',
  {
    readonly shredId: string;
    readonly keyId: string;
    readonly versions: readonly { readonly keyVersionId: string; readonly unusableAt: string; readonly purgedAt: string | null }[];
    readonly at: string;
  }
>;
export type AssetsPurged = DomainEvent<
  'AssetsPurged',
  {
    readonly shredId: string;
    readonly assets: readonly { readonly kind: string; readonly id: string; readonly purgedAt: string }[];
    readonly at: string;
  }
>;
export type ShredStepFailed = DomainEvent<
  'ShredStepFailed',
  { readonly shredId: string; readonly step: ShredStep; readonly failure: number; readonly error: string; readonly at: string }
>;
export type ShredProbeRecorded = DomainEvent<
  'ShredProbeRecorded',
  {
    readonly shredId: string;
    readonly attempt: number;
    readonly outcome: ProbeOutcome;
    readonly results: readonly { readonly databaseId: string; readonly outcome: ProbeOutcome; readonly detail: string }[];
    readonly at: string;
  }
>;
export type ShredVerified = DomainEvent<'ShredVerified', { readonly shredId: string; readonly attempt: number; readonly at: string }>;
export type ShredVerificationFailed = DomainEvent<
  'ShredVerificationFailed',
  { readonly shredId: string; readonly attempt: number; readonly readableDatabases: readonly string[]; readonly at: string }
>;
export type ShredDeadlineBreached = DomainEvent<
  'ShredDeadlineBreached',
  { readonly shredId: string; readonly cause: BreachCause; readonly deadline: string; readonly at: string }
>;

/**
 * The deletion certificate of a verified shred was issued, once: its signed bytes are stored outside
 * the stream; here are its id, the SHA-256 (hex) of the canonical bytes its signature covers, and the
 * id of the signing key. Never the certificate's content or any key material.
 */
export type DeletionCertificateIssued = DomainEvent<
  'DeletionCertificateIssued',
  { readonly shredId: string; readonly certificateId: string; readonly sha256: string; readonly keyId: string; readonly at: string }
>;

export type TenantEvent =
  | TenantOnboarded
  | TenantKeyCreated
  | DatabaseProtected
  | DeletionRequested
  | ShredScheduled
  | ShredCancelled
  | ShredExecutionStarted
  | KeyDestroyed
  | AssetsPurged
  | ShredStepFailed
  | ShredProbeRecorded
  | ShredVerified
  | ShredVerificationFailed
  | ShredDeadlineBreached
  | DeletionCertificateIssued;

export const tenantStream = (tenantId: string) => `tenant-${tenantId}`;
