// Events of the key ring aggregate (stream `keys-<tenantId>`): the tenant key's versions, which
// version protected each database when, the backups that depend on them, and retirement (ARCHITECTURE
// P1–P3, §3 "Key versions"). Instants are ISO 8601 UTC strings with milliseconds; `at` is the
// decision time. No event carries key material: versions are named by their vault ids only.
import type { DomainEvent } from '../shared/decider.js';
import type { KeyCustody } from '../tenant/tenant.events.js';
import type { BackupProtection, Unrestorable } from './backup-policy.js';

export type KeyVersionSource = 'policy' | 'manual' | 'detected';
export type BackupKind = 'pitr' | 'full' | 'ltr';

export type KeyRingOpened = DomainEvent<
  'KeyRingOpened',
  {
    readonly tenantId: string;
    readonly keyId: string;
    readonly keyCustody: KeyCustody;
    readonly rotationPeriodDays: number;
    /** Rings opened before the backup policy existed are upcast to the default. */
    readonly pitrRetentionDays: number;
    readonly version: { readonly keyVersionId: string; readonly createdAt: string };
    /** Each starts protected by `version` at `at`. */
    readonly databases: readonly string[];
    readonly at: string;
  }
>;
export type KeyVersionAdded = DomainEvent<
  'KeyVersionAdded',
  { readonly keyVersionId: string; readonly source: KeyVersionSource; readonly createdAt: string; readonly at: string }
>;
export type DatabaseReprotected = DomainEvent<
  'DatabaseReprotected',
  { readonly databaseId: string; readonly fromKeyVersionId: string; readonly toKeyVersionId: string; readonly at: string }
>;
export type DatabaseAdded = DomainEvent<'DatabaseAdded', { readonly databaseId: string; readonly keyVersionId: string; readonly at: string }>;
export type DatabaseRotationOverdue = DomainEvent<
  'DatabaseRotationOverdue',
  { readonly databaseId: string; readonly keyVersionId: string; readonly dueBy: string; readonly at: string }
>;
export type RotationPeriodChanged = DomainEvent<'RotationPeriodChanged', { readonly rotationPeriodDays: number; readonly at: string }>;
export type BackupPolicyChanged = DomainEvent<'BackupPolicyChanged', { readonly pitrRetentionDays: number; readonly at: string }>;
export type KeyRotationDue = DomainEvent<'KeyRotationDue', { readonly keyVersionId: string; readonly dueAt: string; readonly at: string }>;
export type BackupRecorded = DomainEvent<
  'BackupRecorded',
  {
    readonly backupId: string;
    readonly databaseId: string;
    readonly kind: BackupKind;
    readonly coveredFrom: string;
    readonly takenAt: string;
    readonly expiresAt: string;
    /**
     * Backups recorded before protections were told apart are upcast to 'customer-key'. A
     * 'platform-key' backup needs no tenant key version (keyVersionIds empty, restoreKeyVersionId null).
     */
    readonly protection: BackupProtection;
    /** Every version that protected the database at any moment in [coveredFrom, takenAt]. */
    readonly keyVersionIds: readonly string[];
    /** The version protecting the database at takenAt: the data plane wraps the backup's data key with it. */
    readonly restoreKeyVersionId: string | null;
    /** Null unless a needed version was already retired when it was recorded (older events are upcast to null). */
    readonly unrestorable: Unrestorable | null;
    /**
     * Present only when the retention is past the maximum (promises.ts): the break-glass grant
     * covering `backup.extend-retention` that allowed it. Absent in events older than the maximum.
     */
    readonly grantId?: string;
    readonly at: string;
  }
>;
export type BackupRetentionChanged = DomainEvent<
  'BackupRetentionChanged',
  {
    readonly backupId: string;
    readonly expiresAt: string;
    /** Present only when the new retention is past the maximum: the break-glass grant that allowed it (as BackupRecorded). */
    readonly grantId?: string;
    readonly at: string;
  }
>;
export type BackupDeleted = DomainEvent<'BackupDeleted', { readonly backupId: string; readonly at: string }>;
export type StagingAssetRegistered = DomainEvent<
  'StagingAssetRegistered',
  { readonly assetId: string; readonly expiresAt: string | null; readonly at: string }
>;
/**
 * P3: nothing needs the version any more. It is disabled in the vault at once and destroyed at
 * `destroyAt` (`at` + LETHE_RETIRED_KEY_GRACE_DAYS) unless enabled again under break-glass before.
 * Absent in events recorded before the grace existed: those versions were destroyed at `at`.
 */
export type KeyVersionRetired = DomainEvent<
  'KeyVersionRetired',
  { readonly keyVersionId: string; readonly retainUntil: string; readonly at: string; readonly destroyAt?: string }
>;
/** A retired version's grace ran out: recorded, then destroyed in the vault (for good; never enabled again). */
export type KeyVersionDestroyed = DomainEvent<'KeyVersionDestroyed', { readonly keyVersionId: string; readonly at: string }>;
export type KeyRingDestroyed = DomainEvent<'KeyRingDestroyed', { readonly at: string }>;

// ---- break-glass `key-version.enable` -----------------------------------------------------------
/**
 * A retired version made usable again in the vault under break-glass grant `grantId`, until `until`
 * (the grant's window end): it counts as superseded again and is retired anew once `until` (and
 * every other need) has passed (retention.ts).
 */
export type KeyVersionEnabled = DomainEvent<
  'KeyVersionEnabled',
  { readonly keyVersionId: string; readonly until: string; readonly grantId: string; readonly at: string }
>;

export type KeyRingEvent =
  | KeyRingOpened
  | KeyVersionAdded
  | DatabaseReprotected
  | DatabaseAdded
  | DatabaseRotationOverdue
  | RotationPeriodChanged
  | BackupPolicyChanged
  | KeyRotationDue
  | BackupRecorded
  | BackupRetentionChanged
  | BackupDeleted
  | StagingAssetRegistered
  | KeyVersionRetired
  | KeyVersionDestroyed
  | KeyRingDestroyed
  | KeyVersionEnabled;
