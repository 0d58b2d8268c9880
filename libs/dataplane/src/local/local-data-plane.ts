// The `local` data plane: real envelope encryption in PostgreSQL, so a crypto-shred can be proven.
// - protectDatabase: random 32-byte data key → vault.wrap(version, key) stored in dataplane_databases
//   with the sentinel AES-256-GCM-sealed by the data key. The plain data key never touches the database.
// - reprotectDatabase: vault.unwrap(from) → vault.wrap(to), compare-and-set on the stored version.
// - assets: content sealed with the platform key (platformKeyFrom(masterKey)); purge nulls the content and
//   keeps the row as the record (see DataPlane.purgeAssets). Adding one is fenced by the master key's
//   check value (requireBoundTo's fence, in the write's own statement): after a master key rotation an
//   instance on the old key seals nothing.
// - customer-key backups (dataplane_key_backups): a copy of the data key wrapped by the backup's key
//   version and a sentinel sealed with the data key; restoreCheck unwraps and decrypts; deleteBackup
//   nulls both. purgeAssets leaves them alone (the tenant key shred makes them unreadable).
import type pg from 'pg';
import type { Clock } from '@lethe/clock';
import {
  DecryptionFailedError,
  KeyVersionDestroyedError,
  KeyVersionDisabledError,
  SecretKey,
  UnwrapFailedError,
  MASTER_KEY_FENCE_CTE,
  masterKeyFenceHolds,
  requireStoredCheckValue,
  type KeyVault,
} from '@lethe/vault';
import type { Asset, AssetCheckResult, AssetKind, DataPlane, ProtectedDatabase, PurgedAsset, RestoreCheckResult, RestoreFailureReason } from '../data-plane.js';
import {
  AssetConflictError,
  AssetPurgedError,
  BackupConflictError,
  BackupDeletedError,
  DatabaseAlreadyProtectedError,
  DatabaseKeyVersionMismatchError,
  KeyVersionUnusableError,
  UnknownAssetError,
  UnknownBackupError,
  UnknownDatabaseError,
} from '../errors.js';
import { checkAssetByReading } from '../asset-check.js';
import { describeError } from './describe-error.js';
import {
  assetContext,
  assetPlaintext,
  backupSentinelContext,
  backupSentinelPlaintext,
  sentinelContext,
  sentinelPlaintext,
  type PlatformKey,
} from './envelope.js';

interface BackupRow {
  database_id: string;
  key_version_id: string;
  wrapped_data_key: Buffer | null;
  sentinel: Buffer | null;
  deleted_at: Date | null;
}

function requireId(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
}

export class LocalDataPlane implements DataPlane {
  readonly #platformKey: PlatformKey;

  constructor(
    private readonly pool: pg.Pool,
    private readonly vault: KeyVault,
    platformKey: PlatformKey,
    private readonly clock: Clock,
  ) {
    this.#platformKey = platformKey;
  }

  async protectDatabase(tenantId: string, databaseId: string, keyVersionId: string): Promise<void> {
    requireId('tenantId', tenantId);
    requireId('databaseId', databaseId);
    requireId('keyVersionId', keyVersionId);
    const existing = await this.currentVersion(tenantId, databaseId);
    if (existing !== null) {
      if (existing === keyVersionId) return;
      throw new DatabaseAlreadyProtectedError(tenantId, databaseId, existing, keyVersionId);
    }
    const dataKey = SecretKey.generate();
    const raw = dataKey.exportBytes();
    let wrapped: Buffer;
    try {
      wrapped = await this.vault.wrap(keyVersionId, raw);
    } finally {
      raw.fill(0);
    }
    const sentinel = dataKey.seal(sentinelPlaintext(tenantId, databaseId), sentinelContext(tenantId, databaseId));
    const inserted = await this.pool.query(
      `insert into dataplane_databases (tenant_id, database_id, key_version_id, wrapped_data_key, sentinel, protected_at)
       values ($1, $2, $3, $4, $5, $6) on conflict (tenant_id, database_id) do nothing`,
      [tenantId, databaseId, keyVersionId, wrapped, sentinel, this.clock.now()],
    );
    if (inserted.rowCount === 1) return;
    // A concurrent call protected it first: same version is fine, another is a conflict.
    const winner = await this.currentVersion(tenantId, databaseId);
    if (winner !== keyVersionId) throw new DatabaseAlreadyProtectedError(tenantId, databaseId, winner ?? '(none)', keyVersionId);
  }

  async reprotectDatabase(tenantId: string, databaseId: string, fromVersionId: string, toVersionId: string): Promise<void> {
    requireId('tenantId', tenantId);
    requireId('databaseId', databaseId);
    requireId('fromVersionId', fromVersionId);
    requireId('toVersionId', toVersionId);
    const row = await this.pool.query<{ key_version_id: string; wrapped_data_key: Buffer }>(
      'select key_version_id, wrapped_data_key from dataplane_databases where tenant_id = $1 and database_id = $2',
      [tenantId, databaseId],
    );
    if (row.rowCount === 0) throw new UnknownDatabaseError(tenantId, databaseId);
    const current = row.rows[0].key_version_id;
    if (current === toVersionId) return;
    if (current !== fromVersionId) throw new DatabaseKeyVersionMismatchError(tenantId, databaseId, fromVersionId, current);
    const raw = await this.vault.unwrap(fromVersionId, row.rows[0].wrapped_data_key);
    let rewrapped: Buffer;
    try {
      rewrapped = await this.vault.wrap(toVersionId, raw);
    } finally {
      raw.fill(0);
    }
    const updated = await this.pool.query(
      `update dataplane_databases set key_version_id = $4, wrapped_data_key = $5, reprotected_at = $6
        where tenant_id = $1 and database_id = $2 and key_version_id = $3`,
      [tenantId, databaseId, fromVersionId, toVersionId, rewrapped, this.clock.now()],
    );
    if (updated.rowCount === 1) return;
    // Someone moved it meanwhile: done if to the same version.
    const now = await this.currentVersion(tenantId, databaseId);
    if (now !== toVersionId) throw new DatabaseKeyVersionMismatchError(tenantId, databaseId, fromVersionId, now ?? '(none)');
  }

  async listAssets(tenantId: string): Promise<Asset[]> {
    requireId('tenantId', tenantId);
    const rows = await this.pool.query<{ kind: AssetKind; asset_id: string }>(
      'select kind, asset_id from dataplane_assets where tenant_id = $1 and purged_at is null order by kind, asset_id',
      [tenantId],
    );
    return rows.rows.map((r) => ({ kind: r.kind, id: r.asset_id }));
  }

  async addStagingAsset(tenantId: string, assetId: string): Promise<void> {
    requireId('tenantId', tenantId);
    requireId('assetId', assetId);
    await this.addAsset(tenantId, 'staging', assetId, null);
  }

  async addPlatformBackup(tenantId: string, backupId: string, databaseId: string): Promise<void> {
    requireId('tenantId', tenantId);
    requireId('backupId', backupId);
    requireId('databaseId', databaseId);
    await this.addAsset(tenantId, 'platform-backup', backupId, databaseId);
  }

  async checkAsset(tenantId: string, kind: AssetKind, assetId: string): Promise<AssetCheckResult> {
    requireId('tenantId', tenantId);
    requireId('assetId', assetId);
    return checkAssetByReading({ tenantId, kind, assetId }, () => this.readAsset(tenantId, kind, assetId));
  }

  async purgeAssets(tenantId: string): Promise<PurgedAsset[]> {
    requireId('tenantId', tenantId);
    // One statement: the CTE purges the live rows; the outer select (same snapshot, before the update)
    // adds the rows purged by earlier calls. Together: every purged asset, each once.
    const rows = await this.pool.query<{ kind: AssetKind; asset_id: string; purged_at: Date }>(
      `with purged as (
         update dataplane_assets set sealed_content = null, purged_at = $2
          where tenant_id = $1 and purged_at is null
          returning kind, asset_id, purged_at)
       select kind, asset_id, purged_at from purged
       union all
       select kind, asset_id, purged_at from dataplane_assets where tenant_id = $1 and purged_at is not null
       order by kind, asset_id`,
      [tenantId, this.clock.now()],
    );
    return rows.rows.map((r) => ({ kind: r.kind, id: r.asset_id, purgedAt: r.purged_at }));
  }

  async databasesOf(tenantId: string): Promise<ProtectedDatabase[]> {
    requireId('tenantId', tenantId);
    const rows = await this.pool.query<{ database_id: string; key_version_id: string }>(
      'select database_id, key_version_id from dataplane_databases where tenant_id = $1 order by database_id',
      [tenantId],
    );
    return rows.rows.map((r) => ({ databaseId: r.database_id, keyVersionId: r.key_version_id }));
  }

  async recordBackup(tenantId: string, backupId: string, databaseId: string, keyVersionId: string): Promise<void> {
    requireId('tenantId', tenantId);
    requireId('backupId', backupId);
    requireId('databaseId', databaseId);
    requireId('keyVersionId', keyVersionId);
    const requested = { databaseId, keyVersionId };
    // The backup's row if it was recorded before, and the database's, in one read.
    const found = await this.pool.query<{
      backup_found: boolean;
      backup_database_id: string;
      backup_key_version_id: string;
      backup_deleted_at: Date | null;
      key_version_id: string | null;
      wrapped_data_key: Buffer;
      sentinel: Buffer;
    }>(
      `select b.tenant_id is not null as backup_found, b.database_id as backup_database_id, b.key_version_id as backup_key_version_id,
              b.deleted_at as backup_deleted_at, d.key_version_id, d.wrapped_data_key, d.sentinel
         from (select 1) as one
         left join dataplane_key_backups b on b.tenant_id = $1 and b.backup_id = $2
         left join dataplane_databases d on d.tenant_id = $1 and d.database_id = $3`,
      [tenantId, backupId, databaseId],
    );
    const row = found.rows[0];
    if (row.backup_found) {
      const already = { database_id: row.backup_database_id, key_version_id: row.backup_key_version_id, deleted_at: row.backup_deleted_at };
      this.checkSameBackup(tenantId, backupId, already, requested);
      return;
    }
    if (row.key_version_id === null) throw new UnknownDatabaseError(tenantId, databaseId);
    const current = { key_version_id: row.key_version_id, wrapped_data_key: row.wrapped_data_key, sentinel: row.sentinel };

    const unusable = (error: unknown): unknown => {
      if (error instanceof KeyVersionDisabledError) return new KeyVersionUnusableError(tenantId, backupId, error.versionId, 'disabled', { cause: error });
      if (error instanceof KeyVersionDestroyedError) return new KeyVersionUnusableError(tenantId, backupId, error.versionId, 'destroyed', { cause: error });
      return error;
    };
    let raw: Buffer;
    try {
      raw = await this.vault.unwrap(current.key_version_id, current.wrapped_data_key);
    } catch (error) {
      throw unusable(error);
    }
    let wrapped: Buffer;
    let sentinel: Buffer;
    try {
      const dataKey = SecretKey.fromBytes(raw);
      // The data key must be the database's: its sentinel decrypts (DecryptionFailedError otherwise).
      dataKey.open(current.sentinel, sentinelContext(tenantId, databaseId));
      sentinel = dataKey.seal(backupSentinelPlaintext(tenantId, backupId, databaseId), backupSentinelContext(tenantId, backupId, databaseId));
      try {
        wrapped = await this.vault.wrap(keyVersionId, raw);
      } catch (error) {
        throw unusable(error);
      }
    } finally {
      raw.fill(0);
    }
    const inserted = await this.pool.query(
      `insert into dataplane_key_backups (tenant_id, backup_id, database_id, key_version_id, wrapped_data_key, sentinel, recorded_at)
       values ($1, $2, $3, $4, $5, $6, $7) on conflict (tenant_id, backup_id) do nothing`,
      [tenantId, backupId, databaseId, keyVersionId, wrapped, sentinel, this.clock.now()],
    );
    if (inserted.rowCount === 1) return;
    // A concurrent call recorded it first: same attributes are fine.
    const winner = await this.backupRow(tenantId, backupId);
    if (!winner) throw new UnknownBackupError(tenantId, backupId); // unreachable: rows are never removed
    this.checkSameBackup(tenantId, backupId, winner, requested);
  }

  async restoreCheck(tenantId: string, backupId: string): Promise<RestoreCheckResult> {
    requireId('tenantId', tenantId);
    requireId('backupId', backupId);
    const where = `customer-key backup ${backupId} of tenant ${tenantId}`;
    const fail = (keyVersionId: string | null, reason: RestoreFailureReason, detail: string): RestoreCheckResult => ({
      restorable: false,
      keyVersionId,
      reason,
      detail,
    });
    let row: BackupRow | undefined;
    try {
      row = await this.backupRow(tenantId, backupId);
    } catch (error) {
      return fail(null, 'inconclusive', `could not read the record of ${where}: ${describeError(error)}`);
    }
    if (!row) return fail(null, 'unknown-backup', `${where} is not recorded`);
    const version = row.key_version_id;
    if (row.deleted_at !== null || row.wrapped_data_key === null || row.sentinel === null) {
      return fail(version, 'backup-deleted', `${where} (key version ${version}) was deleted: its data key copy is erased`);
    }
    let raw: Buffer;
    try {
      raw = await this.vault.unwrap(version, row.wrapped_data_key);
    } catch (error) {
      if (error instanceof KeyVersionDestroyedError) {
        return fail(version, 'key-version-destroyed', `key version ${version} of ${where} is destroyed: its data key cannot be unwrapped`);
      }
      if (error instanceof KeyVersionDisabledError) {
        return fail(version, 'key-version-disabled', `key version ${version} of ${where} is disabled: its data key cannot be unwrapped now`);
      }
      if (error instanceof UnwrapFailedError) {
        return fail(version, 'corrupt', `the data key copy of ${where} did not unwrap with key version ${version} (altered record?)`);
      }
      return fail(version, 'inconclusive', `the vault could not unwrap the data key copy of ${where} with key version ${version}: ${describeError(error)}`);
    }
    let dataKey: SecretKey;
    try {
      dataKey = SecretKey.fromBytes(raw);
    } catch {
      return fail(version, 'corrupt', `the unwrapped data key of ${where} has the wrong length`);
    } finally {
      raw.fill(0);
    }
    const databaseId = row.database_id;
    let plaintext: Buffer;
    try {
      plaintext = dataKey.open(row.sentinel, backupSentinelContext(tenantId, backupId, databaseId));
    } catch (error) {
      if (error instanceof DecryptionFailedError) return fail(version, 'corrupt', `the sentinel of ${where} did not decrypt with its data key (altered record?)`);
      return fail(version, 'inconclusive', `the sentinel of ${where} could not be decrypted: ${describeError(error)}`);
    }
    if (!plaintext.equals(backupSentinelPlaintext(tenantId, backupId, databaseId))) {
      return fail(version, 'corrupt', `the sentinel of ${where} decrypted to something unexpected`);
    }
    return { restorable: true, keyVersionId: version };
  }

  async deleteBackup(tenantId: string, backupId: string): Promise<void> {
    requireId('tenantId', tenantId);
    requireId('backupId', backupId);
    const updated = await this.pool.query(
      `update dataplane_key_backups set wrapped_data_key = null, sentinel = null, deleted_at = $3
        where tenant_id = $1 and backup_id = $2 and deleted_at is null`,
      [tenantId, backupId, this.clock.now()],
    );
    if (updated.rowCount === 1) return;
    if (!(await this.backupRow(tenantId, backupId))) throw new UnknownBackupError(tenantId, backupId);
    // Already deleted: nothing to do (the first deleted_at stays).
  }

  /**
   * Local adapter only (not part of the port): decrypts an asset's content with the platform key, the
   * way anyone holding the platform key could. UnknownAssetError, AssetPurgedError.
   */
  async readAsset(tenantId: string, kind: AssetKind, assetId: string): Promise<Buffer> {
    const row = await this.pool.query<{ sealed_content: Buffer | null }>(
      'select sealed_content from dataplane_assets where tenant_id = $1 and kind = $2 and asset_id = $3',
      [tenantId, kind, assetId],
    );
    if (row.rowCount === 0) throw new UnknownAssetError(tenantId, kind, assetId);
    const sealed = row.rows[0].sealed_content;
    if (sealed === null) throw new AssetPurgedError(tenantId, kind, assetId);
    return this.#platformKey.open(sealed, assetContext(tenantId, kind, assetId));
  }

  /**
   * Local adapter only (not part of the port): reads the database's sentinel record the way a client of
   * the database does: unwraps its data key with the vault, decrypts the sentinel. For a sample data
   * service that a read probe can ask over HTTP. UnknownDatabaseError; vault errors pass through
   * (KeyVersionDestroyedError once the tenant key is shredded); DecryptionFailedError for an altered record.
   */
  async readSentinel(tenantId: string, databaseId: string): Promise<Buffer> {
    const row = await this.pool.query<{ key_version_id: string; wrapped_data_key: Buffer; sentinel: Buffer }>(
      'select key_version_id, wrapped_data_key, sentinel from dataplane_databases where tenant_id = $1 and database_id = $2',
      [tenantId, databaseId],
    );
    if (row.rowCount === 0) throw new UnknownDatabaseError(tenantId, databaseId);
    const { key_version_id, wrapped_data_key, sentinel } = row.rows[0];
    const raw = await this.vault.unwrap(key_version_id, wrapped_data_key);
    let dataKey: SecretKey;
    try {
      dataKey = SecretKey.fromBytes(raw);
    } finally {
      raw.fill(0);
    }
    return dataKey.open(sentinel, sentinelContext(tenantId, databaseId));
  }

  private async addAsset(tenantId: string, kind: AssetKind, assetId: string, databaseId: string | null): Promise<void> {
    const sealed = this.#platformKey.seal(assetPlaintext(tenantId, kind, assetId, databaseId), assetContext(tenantId, kind, assetId));
    // Fenced like a key version: nothing is sealed under a master key the database was rotated away
    // from. One statement (the fence's lock lasts until it commits): a platform-key backup is a
    // fleet's most frequent write after the log's own.
    const res = await this.pool.query<{ inserted: boolean; stored: Buffer | null }>(
      `with ${MASTER_KEY_FENCE_CTE},
            added as (
              insert into dataplane_assets (tenant_id, kind, asset_id, database_id, sealed_content, created_at)
              select $1, $2, $3, $4, $5, $6 where ${masterKeyFenceHolds('$7')}
              on conflict (tenant_id, kind, asset_id) do nothing
              returning 1)
       select exists (select 1 from added) as inserted, (select check_value from master_key_fence) as stored`,
      [tenantId, kind, assetId, databaseId, sealed, this.clock.now(), this.#platformKey.masterKeyCheck],
    );
    requireStoredCheckValue(res.rows[0].stored, this.#platformKey.masterKeyCheck);
    if (res.rows[0].inserted) return;
    const existing = await this.pool.query<{ database_id: string | null; purged_at: Date | null }>(
      'select database_id, purged_at from dataplane_assets where tenant_id = $1 and kind = $2 and asset_id = $3',
      [tenantId, kind, assetId],
    );
    const row = existing.rows[0];
    if (row.purged_at !== null) throw new AssetPurgedError(tenantId, kind, assetId);
    if (row.database_id !== databaseId) throw new AssetConflictError(tenantId, kind, assetId);
  }

  private async backupRow(tenantId: string, backupId: string): Promise<BackupRow | undefined> {
    const row = await this.pool.query<BackupRow>(
      `select database_id, key_version_id, wrapped_data_key, sentinel, deleted_at
         from dataplane_key_backups where tenant_id = $1 and backup_id = $2`,
      [tenantId, backupId],
    );
    return row.rows[0];
  }

  private checkSameBackup(
    tenantId: string,
    backupId: string,
    row: Pick<BackupRow, 'database_id' | 'key_version_id' | 'deleted_at'>,
    requested: { databaseId: string; keyVersionId: string },
  ): void {
    if (row.database_id !== requested.databaseId || row.key_version_id !== requested.keyVersionId) {
      throw new BackupConflictError(tenantId, backupId, { databaseId: row.database_id, keyVersionId: row.key_version_id }, requested);
    }
    if (row.deleted_at !== null) throw new BackupDeletedError(tenantId, backupId);
  }

  private async currentVersion(tenantId: string, databaseId: string): Promise<string | null> {
    const row = await this.pool.query<{ key_version_id: string }>(
      'select key_version_id from dataplane_databases where tenant_id = $1 and database_id = $2',
      [tenantId, databaseId],
    );
    return row.rowCount === 0 ? null : row.rows[0].key_version_id;
  }
}
