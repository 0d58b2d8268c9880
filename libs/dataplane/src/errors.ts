// Typed errors of the data plane. Messages name tenants, databases, assets and key versions by id only.
import type { AssetKind } from './data-plane.js';

export abstract class DataPlaneError extends Error {
  abstract readonly code: string;
}

export class UnknownDatabaseError extends DataPlaneError {
  readonly code = 'UNKNOWN_DATABASE';
  constructor(readonly tenantId: string, readonly databaseId: string) {
    super(`database ${databaseId} of tenant ${tenantId} is not protected by the data plane`);
    this.name = 'UnknownDatabaseError';
  }
}

/** protectDatabase with a version other than the one already protecting the database. */
export class DatabaseAlreadyProtectedError extends DataPlaneError {
  readonly code = 'DATABASE_ALREADY_PROTECTED';
  constructor(
    readonly tenantId: string,
    readonly databaseId: string,
    readonly currentVersionId: string,
    readonly requestedVersionId: string,
  ) {
    super(
      `database ${databaseId} of tenant ${tenantId} is protected by key version ${currentVersionId}, not ${requestedVersionId}: use reprotectDatabase`,
    );
    this.name = 'DatabaseAlreadyProtectedError';
  }
}

/** reprotectDatabase when the database is on neither the `from` nor the `to` version. */
export class DatabaseKeyVersionMismatchError extends DataPlaneError {
  readonly code = 'DATABASE_KEY_VERSION_MISMATCH';
  constructor(
    readonly tenantId: string,
    readonly databaseId: string,
    readonly expectedVersionId: string,
    readonly actualVersionId: string,
  ) {
    super(`database ${databaseId} of tenant ${tenantId} is protected by key version ${actualVersionId}, expected ${expectedVersionId}`);
    this.name = 'DatabaseKeyVersionMismatchError';
  }
}

export class AssetPurgedError extends DataPlaneError {
  readonly code = 'ASSET_PURGED';
  constructor(readonly tenantId: string, readonly kind: AssetKind, readonly assetId: string) {
    super(`${kind} asset ${assetId} of tenant ${tenantId} was purged`);
    this.name = 'AssetPurgedError';
  }
}

export class UnknownAssetError extends DataPlaneError {
  readonly code = 'UNKNOWN_ASSET';
  constructor(readonly tenantId: string, readonly kind: AssetKind, readonly assetId: string) {
    super(`no ${kind} asset ${assetId} for tenant ${tenantId}`);
    this.name = 'UnknownAssetError';
  }
}

/** The asset id is already used for something else (a backup of another database). */
export class AssetConflictError extends DataPlaneError {
  readonly code = 'ASSET_CONFLICT';
  constructor(readonly tenantId: string, readonly kind: AssetKind, readonly assetId: string) {
    super(`${kind} asset ${assetId} of tenant ${tenantId} already exists with other attributes`);
    this.name = 'AssetConflictError';
  }
}

export class UnknownBackupError extends DataPlaneError {
  readonly code = 'UNKNOWN_BACKUP';
  constructor(readonly tenantId: string, readonly backupId: string) {
    super(`no customer-key backup ${backupId} for tenant ${tenantId}`);
    this.name = 'UnknownBackupError';
  }
}

/** recordBackup with a backup id already recorded for another key version or database. */
export class BackupConflictError extends DataPlaneError {
  readonly code = 'BACKUP_CONFLICT';
  constructor(
    readonly tenantId: string,
    readonly backupId: string,
    readonly recorded: { readonly databaseId: string; readonly keyVersionId: string },
    readonly requested: { readonly databaseId: string; readonly keyVersionId: string },
  ) {
    super(
      `customer-key backup ${backupId} of tenant ${tenantId} is recorded for database ${recorded.databaseId} under key version ${recorded.keyVersionId}, not database ${requested.databaseId} under ${requested.keyVersionId}`,
    );
    this.name = 'BackupConflictError';
  }
}

/** recordBackup with a backup id that was deleted (a deleted backup does not come back). */
export class BackupDeletedError extends DataPlaneError {
  readonly code = 'BACKUP_DELETED';
  constructor(readonly tenantId: string, readonly backupId: string) {
    super(`customer-key backup ${backupId} of tenant ${tenantId} was deleted`);
    this.name = 'BackupDeletedError';
  }
}

/**
 * recordBackup needed a key version the vault refuses: the database's current version (to unwrap its data
 * key) or the backup's version (to wrap the copy) is disabled or destroyed. Nothing was stored. `cause` is
 * the vault's error.
 */
export class KeyVersionUnusableError extends DataPlaneError {
  readonly code = 'KEY_VERSION_UNUSABLE';
  constructor(
    readonly tenantId: string,
    readonly backupId: string,
    readonly versionId: string,
    readonly state: 'disabled' | 'destroyed',
    options?: { cause?: unknown },
  ) {
    super(`key version ${versionId} is ${state}: customer-key backup ${backupId} of tenant ${tenantId} cannot be recorded`, options);
    this.name = 'KeyVersionUnusableError';
  }
}
