// The settings of the Azure Blob asset store and Azure's rules for them. The engine's configuration
// (LETHE_AZURE_BLOB_*) checks its environment with these; problems never echo a value (a connection
// string holds the account key or a SAS).

/** How the store signs in: a connection string (account key or SAS), or an account URL with DefaultAzureCredential. */
export type AzureBlobCredentialSettings = { readonly connectionString: string } | { readonly accountUrl: string };

export type AzureBlobSettings = AzureBlobCredentialSettings & {
  readonly stagingContainer: string;
  readonly backupContainer: string;
};

export const DEFAULT_STAGING_CONTAINER = 'lethe-staging';
export const DEFAULT_BACKUP_CONTAINER = 'lethe-backups';

/** Azure's container naming rule (Naming and Referencing Containers, Blobs, and Metadata), as told to an operator. */
export const CONTAINER_NAME_RULE =
  'must be a container name: 3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit, no two hyphens in a row';

export function isContainerName(name: string): boolean {
  return /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$/.test(name);
}

export const CONNECTION_STRING_RULE =
  'must be an Azure Storage connection string: Name=value pairs separated by ";" with AccountName and AccountKey, or BlobEndpoint and SharedAccessSignature (UseDevelopmentStorage=true for Azurite)';

/** The shape only (the SDK reads it); never says what is wrong with which part, so nothing is echoed. */
export function isConnectionString(value: string): boolean {
  const parts = new Map<string, string>();
  for (const part of value.split(';').map((p) => p.trim()).filter(Boolean)) {
    const at = part.indexOf('=');
    if (at <= 0) return false;
    parts.set(part.slice(0, at).toLowerCase(), part.slice(at + 1));
  }
  const has = (name: string) => (parts.get(name.toLowerCase()) ?? '') !== '';
  if (parts.get('usedevelopmentstorage') === 'true') return true;
  return (has('AccountName') && has('AccountKey')) || (has('BlobEndpoint') && has('SharedAccessSignature'));
}

export const ACCOUNT_URL_RULE =
  'must be the https:// URL of the storage account\'s blob endpoint (e.g. https://myaccount.blob.core.windows.net), without a query or user info (http only for a loopback host)';

export function isAccountUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  const scheme = url.protocol === 'https:' || (url.protocol === 'http:' && loopback);
  return scheme && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
}
