// The `azure-blob` asset store: staging blobs and platform-key backups as blobs in two Azure Blob
// Storage containers, named `<tenantId>/<assetId>`, their content sealed with the platform key (what
// Blob Storage holds is ciphertext, as the local store's table does). PostgreSQL keeps the record
// (dataplane_blob_assets): which assets were registered, which were purged and when, and what each
// purge deleted, so the record outlives the blobs and a retried purge returns the same list.
//
// The purge deletes EVERY blob under `<tenantId>/` in both containers, registered or not, with its
// snapshots and versions (blob-purge.ts); a name Lethe never registered is recorded before it is
// deleted and listed among the purged assets, of the kind its container says. Soft-deleted objects
// (blob soft delete) cannot be removed before their retention ends: they are counted and reported,
// see docs/adapters/azure-blob.md.
//
// Registration is fenced by the master key's check value, as the local store's is (requireBoundTo):
// after a master key rotation, an instance still on the old key seals no blob. The rotation itself does
// not re-seal blobs: it refuses while live assets are in Blob Storage (rotateMasterKey).
import type pg from 'pg';
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import type { Clock } from '@lethe/clock';
import { inTransaction } from '@lethe/postgres';
import { requireBoundTo } from '@lethe/vault';
import { checkAssetByReading } from '../asset-check.js';
import type { Asset, AssetCheckResult, AssetKind, AssetReader, AssetStore, PurgedAsset } from '../asset-store.js';
import { AssetConflictError, AssetPurgedError, UnknownAssetError } from '../errors.js';
import { assetContext, assetPlaintext, type PlatformKey } from '../local/envelope.js';
import { azureFailure, blobStoreError } from './blob-store-error.js';
import { purgePrefix } from './blob-purge.js';

/** Where the store logs a purge's summary (counts and ids only); pino's Logger fits. */
export interface AssetStoreLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface AzureBlobAssetStoreOptions {
  readonly pool: pg.Pool;
  readonly service: BlobServiceClient;
  readonly stagingContainer: string;
  readonly backupContainer: string;
  /** Seals every blob's content (platformKeyFrom(masterKey)); its check value fences each registration. */
  readonly platformKey: PlatformKey;
  readonly clock: Clock;
  readonly logger?: AssetStoreLogger;
}

/** One name a purge deleted (or found), as recorded: the shred's evidence beside the AssetsPurged event. */
export interface BlobPurgeRecord {
  readonly kind: AssetKind;
  readonly assetId: string;
  /** `<tenantId>/<assetId>` in the kind's container. */
  readonly blobName: string;
  /** False: put there by someone else, never registered with Lethe. */
  readonly registered: boolean;
  readonly purgedAt: Date;
  /** Objects deleted under the name: the blob, its snapshots and previous versions. */
  readonly deletedObjects: number;
  /** Soft-deleted objects left under the name when the purge ended (blob soft delete retention). */
  readonly softDeletedObjects: number;
}

/** What the account says about the features a purge depends on (for the boot log). */
export interface AzureBlobInspection {
  readonly containers: Readonly<Record<'staging' | 'backups', { readonly name: string; readonly exists: boolean }>>;
  /**
   * Blob soft delete retention from the blob service properties: days when enabled, null when off, and
   * 'unknown' when the properties cannot be read (the credential may lack the right) or omit it
   * (Azurite does not emulate soft delete).
   */
  readonly softDeleteRetentionDays: number | null | 'unknown';
}

interface AssetRow {
  database_id: string | null;
  registered_at: Date | null;
  purged_at: Date | null;
}

/** Azure's limit on a blob name, in characters. */
const MAX_BLOB_NAME = 1024;

function requireId(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
}

/** A tenant's prefix must not reach into another's: `a/` would hold `a/b/...` if `a/b` were a tenant. */
function requireTenantId(tenantId: unknown): asserts tenantId is string {
  requireId('tenantId', tenantId);
  if (tenantId.includes('/')) throw new TypeError('tenantId must not contain "/" (it ends the tenant\'s blob prefix)');
}

export class AzureBlobAssetStore implements AssetStore, AssetReader {
  readonly #platformKey: PlatformKey;
  private readonly pool: pg.Pool;
  private readonly service: BlobServiceClient;
  private readonly containers: Readonly<Record<AssetKind, ContainerClient>>;
  private readonly clock: Clock;
  private readonly logger: AssetStoreLogger | undefined;

  constructor(options: AzureBlobAssetStoreOptions) {
    this.pool = options.pool;
    this.service = options.service;
    this.#platformKey = options.platformKey;
    this.clock = options.clock;
    this.logger = options.logger;
    this.containers = {
      staging: options.service.getContainerClient(options.stagingContainer),
      'platform-backup': options.service.getContainerClient(options.backupContainer),
    };
  }

  async listAssets(tenantId: string): Promise<Asset[]> {
    requireTenantId(tenantId);
    const rows = await this.pool.query<{ kind: AssetKind; asset_id: string }>(
      `select kind, asset_id from dataplane_blob_assets
        where tenant_id = $1 and registered_at is not null and purged_at is null order by kind, asset_id`,
      [tenantId],
    );
    return rows.rows.map((r) => ({ kind: r.kind, id: r.asset_id }));
  }

  async addStagingAsset(tenantId: string, assetId: string): Promise<void> {
    requireTenantId(tenantId);
    requireId('assetId', assetId);
    await this.addAsset(tenantId, 'staging', assetId, null);
  }

  async addPlatformBackup(tenantId: string, backupId: string, databaseId: string): Promise<void> {
    requireTenantId(tenantId);
    requireId('backupId', backupId);
    requireId('databaseId', databaseId);
    await this.addAsset(tenantId, 'platform-backup', backupId, databaseId);
  }

  async checkAsset(tenantId: string, kind: AssetKind, assetId: string): Promise<AssetCheckResult> {
    requireId('tenantId', tenantId);
    requireId('assetId', assetId);
    return checkAssetByReading({ tenantId, kind, assetId }, () => this.readAsset(tenantId, kind, assetId), (error, where) =>
      azureFailure(error).statusCode === 404
        ? { readable: false, reason: 'inconclusive', detail: `${where} is registered but its blob is missing from container ${this.containers[kind].containerName}` }
        : undefined,
    );
  }

  async purgeAssets(tenantId: string): Promise<PurgedAsset[]> {
    requireTenantId(tenantId);
    const prefix = `${tenantId}/`;
    // The assets live now: each one's blob was written before its row (addAsset), so before the
    // listings below, which therefore see it. One registered later is left live (not claimed purged).
    const live = await this.pool.query<{ kind: AssetKind; asset_id: string }>(
      'select kind, asset_id from dataplane_blob_assets where tenant_id = $1 and purged_at is null',
      [tenantId],
    );
    const outcome = new Map<string, { kind: AssetKind; assetId: string; softDeleted: number }>();
    for (const row of live.rows) outcome.set(`${row.kind}\n${row.asset_id}`, { kind: row.kind, assetId: row.asset_id, softDeleted: 0 });
    let deletedObjects = 0;
    for (const kind of ['platform-backup', 'staging'] as const) {
      const assetId = (blobName: string) => blobName.slice(prefix.length);
      const result = await purgePrefix(this.containers[kind], prefix, {
        found: async (names) => {
          if (names.length === 0) return;
          await this.pool.query(
            `insert into dataplane_blob_assets (tenant_id, kind, asset_id)
             select $1, $2, id from unnest($3::text[]) as id on conflict (tenant_id, kind, asset_id) do nothing`,
            [tenantId, kind, names.map(assetId)],
          );
        },
        deleted: async (counts) => {
          await this.pool.query(
            `update dataplane_blob_assets a set deleted_objects = a.deleted_objects + c.n
               from unnest($3::text[], $4::int[]) as c(asset_id, n)
              where a.tenant_id = $1 and a.kind = $2 and a.asset_id = c.asset_id`,
            [tenantId, kind, [...counts.keys()].map(assetId), [...counts.values()]],
          );
        },
      });
      for (const name of new Set([...result.deleted.keys(), ...result.softDeleted.keys()])) {
        outcome.set(`${kind}\n${assetId(name)}`, { kind, assetId: assetId(name), softDeleted: result.softDeleted.get(name) ?? 0 });
      }
      for (const n of result.deleted.values()) deletedObjects += n;
    }
    const marked = [...outcome.values()];
    await this.pool.query(
      `update dataplane_blob_assets a set purged_at = $2, soft_deleted_objects = m.soft_deleted
         from unnest($3::text[], $4::text[], $5::int[]) as m(kind, asset_id, soft_deleted)
        where a.tenant_id = $1 and a.kind = m.kind and a.asset_id = m.asset_id and a.purged_at is null`,
      [tenantId, this.clock.now(), marked.map((m) => m.kind), marked.map((m) => m.assetId), marked.map((m) => m.softDeleted)],
    );
    const softDeleted = marked.reduce((sum, m) => sum + m.softDeleted, 0);
    if (marked.length > 0) this.logger?.info({ tenantId, names: marked.length, deletedObjects }, 'blobs under the tenant prefix purged');
    if (softDeleted > 0) {
      this.logger?.warn(
        { tenantId, softDeletedObjects: softDeleted },
        'soft-deleted blob objects remain under the tenant prefix until the blob soft delete retention ends (not readable unless undeleted)',
      );
    }
    const rows = await this.pool.query<{ kind: AssetKind; asset_id: string; purged_at: Date }>(
      `select kind, asset_id, purged_at from dataplane_blob_assets where tenant_id = $1 and purged_at is not null order by kind, asset_id`,
      [tenantId],
    );
    return rows.rows.map((r) => ({ kind: r.kind, id: r.asset_id, purgedAt: r.purged_at }));
  }

  /** Adapter only: the record of every name purged for the tenant, with what was deleted, by kind then id. */
  async purgeRecord(tenantId: string): Promise<BlobPurgeRecord[]> {
    requireTenantId(tenantId);
    const rows = await this.pool.query<{
      kind: AssetKind;
      asset_id: string;
      registered_at: Date | null;
      purged_at: Date;
      deleted_objects: number;
      soft_deleted_objects: number;
    }>(
      `select kind, asset_id, registered_at, purged_at, deleted_objects, soft_deleted_objects
         from dataplane_blob_assets where tenant_id = $1 and purged_at is not null order by kind, asset_id`,
      [tenantId],
    );
    return rows.rows.map((r) => ({
      kind: r.kind,
      assetId: r.asset_id,
      blobName: `${tenantId}/${r.asset_id}`,
      registered: r.registered_at !== null,
      purgedAt: r.purged_at,
      deletedObjects: r.deleted_objects,
      softDeletedObjects: r.soft_deleted_objects,
    }));
  }

  /**
   * Adapter only (AssetReader): downloads the asset's blob and decrypts it with the platform key.
   * UnknownAssetError, AssetPurgedError, DecryptionFailedError; BlobStoreError (404 when the blob of a
   * registered asset is missing).
   */
  async readAsset(tenantId: string, kind: AssetKind, assetId: string): Promise<Buffer> {
    const row = await this.row(tenantId, kind, assetId);
    if (!row || row.registered_at === null) throw new UnknownAssetError(tenantId, kind, assetId);
    if (row.purged_at !== null) throw new AssetPurgedError(tenantId, kind, assetId);
    const sealed = await this.download(kind, `${tenantId}/${assetId}`);
    return this.#platformKey.open(sealed, assetContext(tenantId, kind, assetId));
  }

  /**
   * Adapter only, for the boot log: whether both containers exist and what blob soft delete retention
   * the account has. BlobStoreError when the containers cannot be checked (unreachable, refused).
   */
  async inspect(): Promise<AzureBlobInspection> {
    const exists = async (container: ContainerClient) => {
      try {
        return { name: container.containerName, exists: await container.exists() };
      } catch (error) {
        throw blobStoreError('existence check', container.containerName, null, error);
      }
    };
    const staging = await exists(this.containers.staging);
    const backups = await exists(this.containers['platform-backup']);
    let softDeleteRetentionDays: AzureBlobInspection['softDeleteRetentionDays'] = 'unknown';
    try {
      const policy = (await this.service.getProperties()).deleteRetentionPolicy;
      if (policy) softDeleteRetentionDays = policy.enabled ? (policy.days ?? 'unknown') : null;
    } catch {
      // Reading service properties needs more than blob data rights: the purge works without it.
    }
    return { containers: { staging, backups }, softDeleteRetentionDays };
  }

  private async addAsset(tenantId: string, kind: AssetKind, assetId: string, databaseId: string | null): Promise<void> {
    const blobName = `${tenantId}/${assetId}`;
    if (blobName.length > MAX_BLOB_NAME) throw new TypeError(`tenantId and assetId together must be at most ${MAX_BLOB_NAME - 1} characters (a blob name)`);
    const existing = await this.row(tenantId, kind, assetId);
    if (existing) {
      // Found by a purge under the tenant's prefix (registered_at null) counts as purged: the tenant is being shredded.
      if (existing.purged_at !== null || existing.registered_at === null) throw new AssetPurgedError(tenantId, kind, assetId);
      if (existing.database_id !== databaseId) throw new AssetConflictError(tenantId, kind, assetId);
      return;
    }
    // Nothing is sealed under a master key the database was rotated away from (checked again with the row).
    await this.fenced(async () => undefined);
    // The blob first, then its row: a row always has its blob, which purgeAssets relies on.
    const plaintext = assetPlaintext(tenantId, kind, assetId, databaseId);
    const sealed = this.#platformKey.seal(plaintext, assetContext(tenantId, kind, assetId));
    const blob = this.containers[kind].getBlockBlobClient(blobName);
    try {
      await blob.upload(sealed, sealed.length, {
        conditions: { ifNoneMatch: '*' },
        metadata: databaseId === null ? {} : { databaseid: databaseId },
        blobHTTPHeaders: { blobContentType: 'application/octet-stream' },
      });
    } catch (error) {
      if (azureFailure(error).statusCode !== 409) throw blobStoreError('upload', blob.containerName, blobName, error);
      // There already: ours from a call that stopped before its row (same content: carry on), or
      // something else under that name (a conflict).
      const same = await this.download(kind, blobName).then(
        (content) => {
          try {
            return this.#platformKey.open(content, assetContext(tenantId, kind, assetId)).equals(plaintext);
          } catch {
            return false;
          }
        },
        () => false,
      );
      if (!same) throw new AssetConflictError(tenantId, kind, assetId);
    }
    let inserted;
    try {
      inserted = await this.fenced((client) =>
        client.query(
          `insert into dataplane_blob_assets (tenant_id, kind, asset_id, database_id, registered_at)
           values ($1, $2, $3, $4, $5) on conflict (tenant_id, kind, asset_id) do nothing`,
          [tenantId, kind, assetId, databaseId, this.clock.now()],
        ),
      );
    } catch (error) {
      // Rotated away meanwhile (MasterKeySupersededError): the blob sealed under the old key goes too.
      await blob.deleteIfExists({ deleteSnapshots: 'include' }).catch(() => undefined);
      throw error;
    }
    if (inserted.rowCount === 1) return;
    const winner = (await this.row(tenantId, kind, assetId))!;
    if (winner.purged_at !== null || winner.registered_at === null) {
      // A purge ran between the check above and the upload: what was just written must not outlive it.
      await blob.deleteIfExists({ deleteSnapshots: 'include' }).catch((error: unknown) => {
        throw blobStoreError('deletion', blob.containerName, blobName, error);
      });
      throw new AssetPurgedError(tenantId, kind, assetId);
    }
    if (winner.database_id !== databaseId) throw new AssetConflictError(tenantId, kind, assetId);
  }

  /** `work` in a transaction that first checks the database is bound to this store's master key. */
  private fenced<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (client) => {
      await requireBoundTo(client, this.#platformKey.masterKeyCheck);
      return work(client);
    });
  }

  private async download(kind: AssetKind, blobName: string): Promise<Buffer> {
    const container = this.containers[kind];
    try {
      return await container.getBlobClient(blobName).downloadToBuffer();
    } catch (error) {
      throw blobStoreError('download', container.containerName, blobName, error);
    }
  }

  private async row(tenantId: string, kind: AssetKind, assetId: string): Promise<AssetRow | undefined> {
    const result = await this.pool.query<AssetRow>(
      'select database_id, registered_at, purged_at from dataplane_blob_assets where tenant_id = $1 and kind = $2 and asset_id = $3',
      [tenantId, kind, assetId],
    );
    return result.rows[0];
  }
}
