// The Blob Storage client of the asset store, from its settings. @azure/identity is loaded only for an
// account URL: an engine on a connection string (or on the local store) never pays for it.
import { BlobServiceClient } from '@azure/storage-blob';
import type { AzureBlobCredentialSettings } from './azure-blob-settings.js';

/**
 * A client for the account: from the connection string, or for the account URL with
 * DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI...).
 * @throws TypeError when the SDK refuses the connection string (the message does not echo it).
 */
export async function blobServiceClient(settings: AzureBlobCredentialSettings): Promise<BlobServiceClient> {
  if ('connectionString' in settings) {
    try {
      return BlobServiceClient.fromConnectionString(settings.connectionString);
    } catch {
      throw new TypeError('the Azure Storage connection string was refused by the SDK (its value is not shown)');
    }
  }
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new BlobServiceClient(settings.accountUrl, new DefaultAzureCredential());
}
