// The Azure Key Vault SDK boundary: exactly the calls the `azure-keyvault` adapter makes, in the
// SDK's own signatures (@azure/keyvault-keys). The real KeyClient is one (checked below by the
// compiler); tests use a fake of this interface (test-support/fake-azure-key-client.ts), never a mock of Lethe's storage.
import type {
  KeyClient,
  BeginDeleteKeyOptions,
  CreateRsaKeyOptions,
  DeletedKey,
  GetCryptographyClientOptions,
  GetDeletedKeyOptions,
  KeyProperties,
  KeyVaultKey,
  KeyWrapAlgorithm,
  ListPropertiesOfKeyVersionsOptions,
  PurgeDeletedKeyOptions,
  UnwrapKeyOptions,
  UnwrapResult,
  UpdateKeyPropertiesOptions,
  WrapKeyOptions,
  WrapResult,
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
export async function createAzureKeyClient(vaultUrl: string): Promise<AzureKeyClient> {
  // Loaded only when this vault is chosen: the SDKs take most of a second to import.
  const [{ KeyClient: SdkKeyClient }, { DefaultAzureCredential }] = await Promise.all([import('@azure/keyvault-keys'), import('@azure/identity')]);
  return new SdkKeyClient(vaultUrl, new DefaultAzureCredential(), { retryOptions: { maxRetries: 3 } });
}
