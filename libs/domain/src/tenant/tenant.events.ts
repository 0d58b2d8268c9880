// Events of the tenant aggregate (stream `tenant-<tenantId>`). Instants are ISO 8601 UTC strings
// with milliseconds. No event carries key material: keys are named by their vault ids only.
import type { DomainEvent } from '../shared/decider.js';
import type { CalendarInputs, PartialHolidays } from '../shared/working-days.js';

export type KeyCustody = 'managed' | 'client';
export type BackupKeyMode = 'customer' | 'platform';

export type ShredTrigger =
  | { readonly kind: 'termination'; readonly terminationId: string; readonly contractId: string; readonly reason?: string }
  | { readonly kind: 'deletion-request'; readonly requestId: string; readonly requestedAt?: string };

export type ProbeOutcome = 'key-destroyed' | 'readable' | 'inconclusive';
export type BreachCause = 'late-notification' | 'not-verified-by-deadline';
export type ShredStep = 'destroy-keys' | 'purge-assets' | 'probe';

/**
 * What a tenant is onboarded with: who it is, where (calendar), and how its data is protected.
 * `databases` are the ones to protect when the key ring is opened; from then on the key ring owns
 * the tenant's databases (ARCHITECTURE §4: one owner per fact).
 */
export interface TenantProfile {
  readonly tenantId: string;
  readonly jurisdiction: string;
  readonly timeZone: string;
  readonly excludedHolidayTypes: readonly string[];
  /** How partial holidays count (events before calendar v2 are upcast to 'working'). */
  readonly partialHolidays: PartialHolidays;
  readonly keyCustody: KeyCustody;
  readonly backupKeyMode: BackupKeyMode;
  readonly databases: readonly { readonly databaseId: string }[];
  readonly shredGraceWorkingDays: number;
  /** The key ring's rotation policy (P1), applied when the ring is opened. */
  readonly rotationPeriodDays: number;
  /** The key ring's point-in-time retention window (P3), applied when the ring is opened. */
  readonly pitrRetentionDays: number;
}

export type TenantOnboarded = DomainEvent<'TenantOnboarded', TenantProfile & { readonly at: string }>;
/**
 * A trigger that did not schedule a shred of its own: the tenant's shred was already scheduled or
 * done (`shredId` names it; a cancel of that shred withdraws this trigger too), or a cancel recorded
 * after it was received had already withdrawn it (P4). Recorded so a trigger counts once, in the
 * order it was received, whenever a processor gets to it.
 */
export type ShredTriggerRecorded = DomainEvent<
  'ShredTriggerRecorded',
  {
    readonly trigger: ShredTrigger;
    readonly effectiveAt: string;
    readonly receivedAt: string;
    readonly disposition: TriggerDisposition;
    readonly shredId: string | null;
    readonly at: string;
  }
>;
export type TriggerDisposition = 'already-scheduled' | 'already-shredded' | 'withdrawn';
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
/**
 * A trigger received while a shred is scheduled (not yet executing) whose own deadline, or execution
 * time, is earlier than the shred's: the shred moves earlier to honour it (P4: each trigger within 5
 * working days of its own effective instant; the earliest deadline wins). `deadline` and `executeAt`
 * are the shred's new ones (each the earlier of the two), computed once like ShredScheduled's, with the
 * calendar inputs of the new trigger's deadline; `previous*` are the ones it replaces. The trigger joins
 * the shred (a cancel of the shred withdraws it too). A late notice (received after its own deadline)
 * executes at once: `executeAt` is its receipt, and a ShredDeadlineBreached (late-notification) follows.
 */
export type ShredAdvanced = DomainEvent<
  'ShredAdvanced',
  {
    readonly shredId: string;
    readonly trigger: ShredTrigger;
    readonly effectiveAt: string;
    readonly receivedAt: string;
    readonly deadline: string;
    readonly executeAt: string;
    readonly previousDeadline: string;
    readonly previousExecuteAt: string;
    readonly calendar: CalendarInputs;
    readonly at: string;
  }
>;
/**
 * A cancel withdraws the shred and every trigger received before it (P4): those already known to the
 * tenant, and those in the contract stream up to `withdrawsContractRevision` (the stream's last
 * revision when the cancel was decided; null when it had none) that a processor has not handled yet.
 */
export type ShredCancelled = DomainEvent<
  'ShredCancelled',
  { readonly shredId: string; readonly reason: string; readonly withdrawsContractRevision: number | null; readonly at: string }
>;
export type ShredExecutionStarted = DomainEvent<'ShredExecutionStarted', { readonly shredId: string; readonly at: string }>;
/**
 * A destroyed key version as the vault reported it: when it became (or becomes) unusable, when its
 * material was purged (null while the vault only soft-deleted it), and then when the purge is
 * expected (null once purged, or when nothing is known of it). Schema v2 added purgeExpectedAt.
 */
export interface DestroyedKeyVersion {
  readonly keyVersionId: string;
  readonly unusableAt: string;
  readonly purgedAt: string | null;
  readonly purgeExpectedAt: string | null;
}

export type KeyDestroyed = DomainEvent<
  'KeyDestroyed',
  {
    readonly shredId: string;
    readonly keyId: string;
    readonly versions: readonly DestroyedKeyVersion[];
    readonly at: string;
  }
>;
/**
 * The material of every version the shred destroyed is purged from the vault for good, confirmed by
 * asking the vault after the purge it expected (a soft-deleting vault purges after the promise: P4
 * is about unusable; this closes the record). `versions` gives each one's purge instant as the vault
 * reported it.
 */
export type KeyMaterialPurged = DomainEvent<
  'KeyMaterialPurged',
  {
    readonly shredId: string;
    readonly keyId: string;
    readonly versions: readonly { readonly keyVersionId: string; readonly purgedAt: string }[];
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

/**
 * A scheduled shred forced to execute now under a break-glass grant (`shred.execute-now`): its
 * execution moves to `executeAt` (now); its deadline stays.
 */
export type ShredExecutionForced = DomainEvent<
  'ShredExecutionForced',
  { readonly shredId: string; readonly executeAt: string; readonly previousExecuteAt: string; readonly grantId: string; readonly at: string }
>;

export type TenantEvent =
  | TenantOnboarded
  | DeletionRequested
  | ShredScheduled
  | ShredTriggerRecorded
  | ShredAdvanced
  | ShredExecutionForced
  | ShredCancelled
  | ShredExecutionStarted
  | KeyDestroyed
  | KeyMaterialPurged
  | AssetsPurged
  | ShredStepFailed
  | ShredProbeRecorded
  | ShredVerified
  | ShredVerificationFailed
  | ShredDeadlineBreached
  | DeletionCertificateIssued;
