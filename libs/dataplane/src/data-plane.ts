// The DataPlane and ReadProbe ports (ARCHITECTURE.md §4). The data plane holds each tenant database's
// data key wrapped by a tenant key version (TDE-style) and the assets the customer key does not protect
// (platform-key backups, staging blobs). The probe tells, after a shred, whether a database's data can
// still be read, and fails *in the expected way* only when the key version is destroyed (P5).
// The asset operations are the AssetStore port's (asset-store.ts), so an adapter may keep them elsewhere.
import type { AssetStore } from './asset-store.js';

export type { Asset, AssetCheckResult, AssetKind, AssetStore, PurgedAsset } from './asset-store.js';

export interface ProtectedDatabase {
  readonly databaseId: string;
  readonly keyVersionId: string;
}

/**
 * Why a customer-key backup cannot be restored:
 * - 'key-version-destroyed' / 'key-version-disabled': the vault refused the backup's key version as
 *   destroyed / disabled (by error class);
 * - 'key-version-retired': the version is unusable and the vault does not say how (adapters that cannot
 *   tell disabled from destroyed; the local adapter never returns it);
 * - 'backup-deleted': deleteBackup erased its wrapped key copy; 'unknown-backup': never recorded;
 * - 'corrupt': the wrapped key copy did not unwrap, or the sentinel did not decrypt to the expected text;
 * - 'inconclusive': anything else (database or vault connection, unknown version, unexpected error).
 */
export type RestoreFailureReason =
  | 'key-version-retired'
  | 'key-version-destroyed'
  | 'key-version-disabled'
  | 'backup-deleted'
  | 'unknown-backup'
  | 'corrupt'
  | 'inconclusive';

/** restoreCheck's verdict. `detail` names ids and error classes/codes only, never key material or a foreign message. */
export type RestoreCheckResult =
  | { readonly restorable: true; readonly keyVersionId: string }
  | {
      readonly restorable: false;
      /** The backup's key version; null for an unknown backup. */
      readonly keyVersionId: string | null;
      readonly reason: RestoreFailureReason;
      readonly detail: string;
    };

/** The data plane: the tenant databases' data keys and customer-key backups, and (through AssetStore) the platform assets. */
export interface DataPlane extends AssetStore {
  /**
   * Protects the database with the tenant key version: the first call creates the database's random data
   * key, stores it wrapped by the version (through the KeyVault) with an encrypted sentinel record.
   * Idempotent with the same version; DatabaseAlreadyProtectedError when protected by another version
   * (use reprotectDatabase). Vault errors (destroyed, disabled, unknown version) pass through.
   */
  protectDatabase(tenantId: string, databaseId: string, keyVersionId: string): Promise<void>;

  /**
   * Re-wraps the database's data key from one version to another (the data key and data are unchanged).
   * Idempotent: already on `toVersionId` is a no-op. UnknownDatabaseError; DatabaseKeyVersionMismatchError
   * when the database is on neither version. Vault errors pass through.
   */
  reprotectDatabase(tenantId: string, databaseId: string, fromVersionId: string, toVersionId: string): Promise<void>;

  /** The tenant's databases and the key version protecting each, by database id. */
  databasesOf(tenantId: string): Promise<ProtectedDatabase[]>;

  /**
   * Records a customer-key backup of the database taken under `keyVersionId`: stores a copy of the
   * database's data key wrapped by that version and a sentinel sealed with the data key. When the
   * version differs from the database's current one (a backup taken before a rotation), the data key is
   * unwrapped with the current version and re-wrapped with `keyVersionId`.
   * Idempotent for the same (backupId, databaseId, keyVersionId), with no vault call.
   * UnknownDatabaseError; BackupConflictError when the id is recorded with another version or database;
   * BackupDeletedError when the id was deleted; KeyVersionUnusableError when the vault refuses a needed
   * version as disabled or destroyed (nothing stored). Other vault errors pass through.
   */
  recordBackup(tenantId: string, backupId: string, databaseId: string, keyVersionId: string): Promise<void>;

  /**
   * Checks that the backup could be restored: unwraps its data key copy with its key version and decrypts
   * its sentinel. Restores nothing, changes nothing. Never rejects (except a TypeError for an empty id):
   * every failure is a verdict.
   */
  restoreCheck(tenantId: string, backupId: string): Promise<RestoreCheckResult>;

  /**
   * Erases the backup's wrapped data key copy and sentinel, keeping its row (ids, deleted instant) as the
   * record; restoreCheck then says 'backup-deleted'. Idempotent. UnknownBackupError.
   */
  deleteBackup(tenantId: string, backupId: string): Promise<void>;
}

/**
 * - 'key-destroyed': the read failed the expected way: the vault says the key version is destroyed, so
 *   the data key cannot be unwrapped and the data is unreadable. The only verdict that verifies a shred.
 * - 'readable': the data key unwrapped and the sentinel decrypted: the data can still be read (alert).
 * - 'inconclusive': anything else (timeout, connection error, disabled-not-destroyed version, unknown
 *   database or version, corrupt record, unexpected error). Never a pass; retry.
 * `detail` names ids and error classes/codes only, never key material or data.
 */
export type ProbeResult =
  | { readonly outcome: 'key-destroyed'; readonly detail: string }
  | { readonly outcome: 'readable'; readonly detail: string }
  | { readonly outcome: 'inconclusive'; readonly detail: string };

export interface ReadProbe {
  /** Never rejects: every failure is a ProbeResult. */
  probe(tenantId: string, databaseId: string): Promise<ProbeResult>;
}
