import type { KeyCustody } from '../tenant/tenant.events.js';
import type { BackupProtection } from './backup-policy.js';
import type { BackupKind, KeyVersionSource } from './key-ring.events.js';

export interface OpenKeyRing {
  readonly type: 'OpenKeyRing';
  readonly data: {
    readonly tenantId: string;
    readonly keyId: string;
    readonly keyCustody: KeyCustody;
    readonly rotationPeriodDays: number;
    /** The point-in-time retention window in days (backup-policy.ts). */
    readonly pitrRetentionDays: number;
    readonly version: { readonly keyVersionId: string; readonly createdAt: string };
    readonly databases: readonly string[];
  };
}

export interface AddKeyVersion {
  readonly type: 'AddKeyVersion';
  readonly data: { readonly keyVersionId: string; readonly source: KeyVersionSource; readonly createdAt: string };
}

export interface RecordReprotection {
  readonly type: 'RecordReprotection';
  readonly data: { readonly databaseId: string; readonly fromKeyVersionId: string; readonly toKeyVersionId: string };
}

export interface AddDatabase {
  readonly type: 'AddDatabase';
  readonly data: { readonly databaseId: string };
}

export interface FlagOverdueDatabases {
  readonly type: 'FlagOverdueDatabases';
  readonly data: { readonly keyVersionId: string; readonly dueBy: string };
}

export interface ChangeRotationPeriod {
  readonly type: 'ChangeRotationPeriod';
  readonly data: { readonly rotationPeriodDays: number };
}

export interface ChangeBackupPolicy {
  readonly type: 'ChangeBackupPolicy';
  readonly data: { readonly pitrRetentionDays: number };
}

export interface RaiseRotationDue {
  readonly type: 'RaiseRotationDue';
  readonly data: Record<string, never>;
}

export interface RecordBackup {
  readonly type: 'RecordBackup';
  readonly data: {
    readonly backupId: string;
    readonly databaseId: string;
    readonly kind: BackupKind;
    readonly coveredFrom: string;
    readonly takenAt: string;
    readonly expiresAt: string;
    /** From the tenant's backupKeyMode: 'platform' → 'platform-key'. */
    readonly protection: BackupProtection;
    /** The break-glass grant (`backup.extend-retention`) the caller used: needed only past the maximum retention. */
    readonly grantId?: string;
  };
}

export interface ChangeBackupRetention {
  readonly type: 'ChangeBackupRetention';
  readonly data: {
    readonly backupId: string;
    readonly expiresAt: string;
    /** The break-glass grant (`backup.extend-retention`) the caller used: needed only past the maximum retention. */
    readonly grantId?: string;
  };
}

export interface DeleteBackup {
  readonly type: 'DeleteBackup';
  readonly data: { readonly backupId: string };
}

/** A staging blob (sealed with the platform key) the shred must purge; expiresAt null = no expiry given. */
export interface RegisterStagingAsset {
  readonly type: 'RegisterStagingAsset';
  readonly data: { readonly assetId: string; readonly expiresAt: string | null };
}

export interface RetireKeyVersion {
  readonly type: 'RetireKeyVersion';
  readonly data: { readonly keyVersionId: string };
}

/** At a retired version's destroyAt: record that it is destroyed in the vault (the lifecycle destroys it next). */
export interface DestroyKeyVersion {
  readonly type: 'DestroyKeyVersion';
  readonly data: { readonly keyVersionId: string };
}

/**
 * Break-glass `key-version.enable`: a retired version usable again until `until` (ISO instant, the
 * window end of grant `grantId`), then retired again by the retention timer.
 */
export interface EnableKeyVersion {
  readonly type: 'EnableKeyVersion';
  readonly data: { readonly keyVersionId: string; readonly until: string; readonly grantId: string };
}

export interface DestroyKeyRing {
  readonly type: 'DestroyKeyRing';
  readonly data: Record<string, never>;
}

export type KeyRingCommand =
  | OpenKeyRing
  | AddKeyVersion
  | RecordReprotection
  | AddDatabase
  | FlagOverdueDatabases
  | ChangeRotationPeriod
  | ChangeBackupPolicy
  | RaiseRotationDue
  | RecordBackup
  | ChangeBackupRetention
  | DeleteBackup
  | RegisterStagingAsset
  | RetireKeyVersion
  | DestroyKeyVersion
  | DestroyKeyRing
  | EnableKeyVersion;
