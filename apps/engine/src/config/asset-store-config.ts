// LETHE_ASSET_STORE and the settings of the store it names: where staging blobs and platform-key
// backups live. `local` (the default) keeps them in the engine's PostgreSQL; `azure-blob` in two Azure
// Blob Storage containers, its settings checked only then. The connection string holds the account
// key or a SAS: no problem echoes it (nor any other value of these settings).
import {
  ACCOUNT_URL_RULE,
  CONNECTION_STRING_RULE,
  CONTAINER_NAME_RULE,
  DEFAULT_BACKUP_CONTAINER,
  DEFAULT_STAGING_CONTAINER,
  isAccountUrl,
  isConnectionString,
  isContainerName,
  type AzureBlobSettings,
} from '@lethe/dataplane';

export const ASSET_STORES = ['local', 'azure-blob'] as const;

export type AssetStoreConfig = { readonly kind: 'local' } | ({ readonly kind: 'azure-blob' } & AzureBlobSettings);

/** The asset store's settings from the environment (empty values already removed); problems are pushed. */
export function parseAssetStore(env: Readonly<Record<string, string | undefined>>, problems: string[]): AssetStoreConfig {
  if (env.LETHE_ASSET_STORE !== 'azure-blob') return { kind: 'local' };
  const connectionString = env.LETHE_AZURE_BLOB_CONNECTION_STRING?.trim();
  const accountUrl = env.LETHE_AZURE_BLOB_ACCOUNT_URL?.trim();
  const stagingContainer = env.LETHE_AZURE_BLOB_STAGING_CONTAINER?.trim() ?? DEFAULT_STAGING_CONTAINER;
  const backupContainer = env.LETHE_AZURE_BLOB_BACKUP_CONTAINER?.trim() ?? DEFAULT_BACKUP_CONTAINER;
  const before = problems.length;
  if ((connectionString === undefined) === (accountUrl === undefined)) {
    problems.push(
      `LETHE_AZURE_BLOB_CONNECTION_STRING, LETHE_AZURE_BLOB_ACCOUNT_URL: set exactly one with LETHE_ASSET_STORE=azure-blob (${connectionString === undefined ? 'neither is' : 'both are'} set)`,
    );
  } else if (connectionString !== undefined && !isConnectionString(connectionString)) {
    problems.push(`LETHE_AZURE_BLOB_CONNECTION_STRING: ${CONNECTION_STRING_RULE}`);
  } else if (accountUrl !== undefined && !isAccountUrl(accountUrl)) {
    problems.push(`LETHE_AZURE_BLOB_ACCOUNT_URL: ${ACCOUNT_URL_RULE}`);
  }
  if (!isContainerName(stagingContainer)) problems.push(`LETHE_AZURE_BLOB_STAGING_CONTAINER: ${CONTAINER_NAME_RULE}`);
  if (!isContainerName(backupContainer)) problems.push(`LETHE_AZURE_BLOB_BACKUP_CONTAINER: ${CONTAINER_NAME_RULE}`);
  else if (backupContainer === stagingContainer) {
    problems.push('LETHE_AZURE_BLOB_BACKUP_CONTAINER: must differ from LETHE_AZURE_BLOB_STAGING_CONTAINER (a staging blob and a backup may have the same id)');
  }
  if (problems.length > before) return { kind: 'local' };
  const credential = connectionString !== undefined ? { connectionString } : { accountUrl: accountUrl! };
  return { kind: 'azure-blob', ...credential, stagingContainer, backupContainer };
}
