// At boot, the asset store LETHE_ASSET_STORE names: none to open for `local` (the local data plane
// keeps its assets), the Azure Blob store for `azure-blob`, checked before the engine relies on it.
// A container that does not exist, or an account that refuses the credential, stops the engine
// (ConfigError, exit 2) naming the setting; an account that does not answer now is only warned about
// (the shred's purge step retries until it does). Blob soft delete is reported: purged blobs stay
// soft-deleted until its retention ends (docs/adapters/azure-blob.md).
import type { Logger } from 'pino';
import type pg from 'pg';
import type { Clock } from '@lethe/clock';
import { AzureBlobAssetStore, BlobStoreError, blobServiceClient, type AssetStore, type PlatformKey } from '@lethe/dataplane';
import type { AssetStoreConfig } from '../config/asset-store-config.js';
import { ConfigError } from '../config/engine-config.js';

export interface AssetStoreDeps {
  readonly pool: pg.Pool;
  readonly platformKey: PlatformKey;
  readonly clock: Clock;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
}

/** The asset store to put in front of the local data plane, or undefined for `local`. @throws ConfigError */
export async function openAssetStore(config: AssetStoreConfig, deps: AssetStoreDeps): Promise<AssetStore | undefined> {
  if (config.kind === 'local') return undefined;
  const credentialSetting = 'connectionString' in config ? 'LETHE_AZURE_BLOB_CONNECTION_STRING' : 'LETHE_AZURE_BLOB_ACCOUNT_URL';
  let service;
  try {
    service = await blobServiceClient(config);
  } catch (error) {
    throw new ConfigError([`${credentialSetting}: ${(error as Error).message}`]);
  }
  const store = new AzureBlobAssetStore({
    pool: deps.pool,
    service,
    stagingContainer: config.stagingContainer,
    backupContainer: config.backupContainer,
    platformKey: deps.platformKey,
    clock: deps.clock,
    logger: deps.logger,
  });
  const fields = { assetStore: 'azure-blob', account: service.accountName, stagingContainer: config.stagingContainer, backupContainer: config.backupContainer };
  let inspection;
  try {
    inspection = await store.inspect();
  } catch (error) {
    if (error instanceof BlobStoreError && (error.statusCode === 401 || error.statusCode === 403)) {
      throw new ConfigError([`${credentialSetting}: the storage account refused it (${error.message}); it needs a role such as Storage Blob Data Contributor`]);
    }
    deps.logger.warn({ ...fields, error: error instanceof Error ? error.message : 'unknown' }, 'Azure Blob Storage could not be checked at boot; asset calls will fail until it answers');
    return store;
  }
  const missing = [
    ...(inspection.containers.staging.exists ? [] : [`LETHE_AZURE_BLOB_STAGING_CONTAINER: container ${config.stagingContainer} does not exist in the storage account`]),
    ...(inspection.containers.backups.exists ? [] : [`LETHE_AZURE_BLOB_BACKUP_CONTAINER: container ${config.backupContainer} does not exist in the storage account`]),
  ];
  if (missing.length > 0) throw new ConfigError(missing);
  const days = inspection.softDeleteRetentionDays;
  deps.logger.info({ ...fields, softDeleteRetentionDays: days }, 'asset store');
  if (typeof days === 'number') {
    deps.logger.warn(
      { ...fields, softDeleteRetentionDays: days },
      'blob soft delete is on: a shred leaves purged blobs soft-deleted (restorable by whoever may undelete them) for this many days',
    );
  }
  return store;
}
