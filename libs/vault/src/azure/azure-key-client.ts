// The Azure Key Vault SDK boundary: exactly the calls the `azure-keyvault` adapter makes, in the
// SDK's own signatures (@azure/keyvault-keys). The real KeyClient is one (checked below by the
// compiler); tests use a fake of this interface (fake-key-client.ts), never a mock of Lethe's storage.
import { DefaultAzureCredential } from '@azure/identity';
import {
  KeyClient,
  type BeginDeleteKeyOptions,
  type CreateRsaKeyOptions,
  type DeletedKey,
  type GetCryptographyClientOptions,
  type GetDeletedKeyOptions,
  type KeyProperties,
  type KeyVaultKey,
  type KeyWrapAlgorithm,
  type ListPropertiesOfKeyVersionsOptions,
  type PurgeDeletedKeyOptions,
  type UnwrapKeyOptions,
  type UnwrapResult,
  type UpdateKeyPropertiesOptions,
  type WrapKeyOptions,
  type WrapResult,
} from '@azure/keyvault-keys';

/** Wrap and unwrap with one key version (the SDK's CryptographyClient). */
export interface AzureCryptographyClient {
  wrapKey(algorithm: KeyWrapAlgorithm, key: Uint8Array, options?: WrapKeyOptions): Promise<WrapResult>;
  unwrapKey(algorithm: KeyWrapAlgorithm, encryptedKey: Uint8Array, options?: UnwrapKeyOptions): Promise<UnwrapResult>;
}

/** The KeyClient calls the adapter makes. Errors are the SDK's (RestError with statusCode and code). */
export interface AzureKeyClient {
  /** Creates the key, or a new version of it when the name exists (409 Conflict while the name is soft-deleted). */
  createRsaKey(name: string, options?: CreateRsaKeyOptions): Promise<KeyVaultKey>;
  /** Every version's properties (404 KeyNotFound when no live key has the name). */
  listPropertiesOfKeyVersions(name: string, options?: ListPropertiesOfKeyVersionsOptions): AsyncIterable<KeyProperties>;
  updateKeyProperties(name: string, keyVersion: string, options?: UpdateKeyPropertiesOptions): Promise<KeyVaultKey>;
  /** Deletes the key, every version at once (soft delete: recoverable until purged). */
  beginDeleteKey(name: string, options?: BeginDeleteKeyOptions): Promise<{ pollUntilDone(options?: { abortSignal?: AbortSignalLike }): Promise<DeletedKey> }>;
  /** The soft-deleted key (404 once purged, or while not deleted). */
  getDeletedKey(name: string, options?: GetDeletedKeyOptions): Promise<DeletedKey>;
  /** Purges a soft-deleted key for good (refused under purge protection). */
  purgeDeletedKey(name: string, options?: PurgeDeletedKeyOptions): Promise<void>;
  getCryptographyClient(keyName: string, options?: GetCryptographyClientOptions): AzureCryptographyClient;
}

type AbortSignalLike = NonNullable<WrapKeyOptions['abortSignal']>;

/** The compiler's proof that the SDK's KeyClient is an AzureKeyClient (the fake implements no more). */
const sdkIsTheBoundary = (client: KeyClient): AzureKeyClient => client;
void sdkIsTheBoundary;

/**
 * The SDK client for a vault URL, authenticated by DefaultAzureCredential: the standard AZURE_*
 * environment (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH),
 * workload identity (AZURE_FEDERATED_TOKEN_FILE) or a managed identity. The SDK retries throttling
 * (429) and 5xx with backoff before an error reaches the adapter.
 */
export function createAzureKeyClient(vaultUrl: string): AzureKeyClient {
  return new KeyClient(vaultUrl, new DefaultAzureCredential(), { retryOptions: { maxRetries: 3 } });
}
