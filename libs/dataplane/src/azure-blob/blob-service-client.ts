// The Blob Storage client of the asset store, from its settings. @azure/identity is loaded only for an
// account URL: an engine on a connection string (or on the local store) never pays for it.
import { BlobServiceClient } from '@azure/storage-blob';
import type { AzureBlobCredentialSettings } from './azure-blob-settings.js';

/**
 * Each request is given up after 20 s and tried 3 times at most (the SDK's default has no per-try
 * limit): a hung call must not hold a shred step's timer past its time limit. A purge cut short resumes
 * where it stopped on the step's next try (what it deleted stays deleted, what it found stays recorded).
 */
const PIPELINE = { retryOptions: { maxTries: 3, tryTimeoutInMs: 20_000 } } as const;

/**
 * A client for the account: from the connection string, or for the account URL with
 * DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI...).
 * @throws TypeError when the SDK refuses the connection string (the message does not echo it).
 */
export async function blobServiceClient(settings: AzureBlobCredentialSettings): Promise<BlobServiceClient> {
  if ('connectionString' in settings) {
    try {
      return BlobServiceClient.fromConnectionString(settings.connectionString, PIPELINE);
    } catch {
      throw new TypeError('the Azure Storage connection string was refused by the SDK (its value is not shown)');
    }
  }
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new BlobServiceClient(settings.accountUrl, new DefaultAzureCredential(), PIPELINE);
}
