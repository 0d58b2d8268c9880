// What an Azure Key Vault failure means to the KeyVault port. The SDK throws RestError (statusCode,
// code from the service's error body) for answers, and RestError without a status, AbortError or the
// identity library's errors for what never got an answer. Mapped here, once, to the port's typed
// errors; messages name the operation, ids, the HTTP status and Azure's error code, never Azure's
// message text or a request/response (no body of a wrap or unwrap may reach a log).
//
//   404 (KeyNotFound)                           → UnknownKeyError / UnknownKeyVersionError
//   409 on create (name soft-deleted)           → KeyTombstonedError
//   409 otherwise (an operation in progress)    → KeyVaultUnavailableError: retry later
//   400 on unwrap (does not decrypt)            → UnwrapFailedError
//   401, 403 (not a disabled key), auth failure → KeyVaultAccessDeniedError
//   408, 429, 5xx, no status (connection), identity endpoint down → KeyVaultUnavailableError
//   AbortError / TimeoutError (our request timeout) → KeyVaultUnavailableError('timeout')
//   any other 4xx                               → AzureKeyVaultRefusedError
// A 403 on a disabled version is told apart by the adapter (it asks the vault), not here.
import {
  KeyTombstonedError,
  KeyVaultAccessDeniedError,
  KeyVaultError,
  UnknownKeyError,
  UnknownKeyVersionError,
  UnwrapFailedError,
} from '../errors.js';
import { KeyVaultUnavailableError } from '../vault-unavailable.js';

/** The operations the adapter performs, as errors name them. */
export type AzureOperation = 'create' | 'list' | 'update' | 'delete' | 'get-deleted' | 'purge' | 'wrap' | 'unwrap';

/** What the failing call was about: the key (by id) or one version of it. */
export type AzureSubject =
  | { readonly kind: 'key'; readonly keyId: string; readonly tenantId?: string }
  | { readonly kind: 'version'; readonly versionId: string };

/** Key permissions (access policy) the adapter needs; with RBAC, "Key Vault Crypto Officer" has them. */
export const REQUIRED_PERMISSIONS =
  'grant it the key permissions get, list, create, update, delete, purge, wrapKey and unwrapKey (RBAC: the Key Vault Crypto Officer role)';

/** Azure Key Vault refused a request for another reason (a 4xx the port has no type for). */
export class AzureKeyVaultRefusedError extends KeyVaultError {
  readonly code = 'AZURE_KEYVAULT_REFUSED';
  constructor(
    readonly operation: AzureOperation,
    readonly subject: string,
    readonly status: number,
    readonly azureCode: string | undefined,
  ) {
    super(`Azure Key Vault refused ${operation} on ${subject}: HTTP ${status}${azureCode ? ` ${azureCode}` : ''}`);
    this.name = 'AzureKeyVaultRefusedError';
  }
}

/**
 * The vault is configured differently from what Lethe was told (soft-delete retention, purge
 * protection), so the deletion windows Lethe promises on would be wrong. Names the setting to fix.
 */
export class AzureKeyVaultSettingMismatchError extends KeyVaultError {
  readonly code = 'AZURE_KEYVAULT_SETTING_MISMATCH';
  constructor(
    readonly setting: string,
    readonly found: string,
  ) {
    super(`${setting} does not match the vault: ${found}; set it to what the vault is configured with`);
    this.name = 'AzureKeyVaultSettingMismatchError';
  }
}

const subjectText = (s: AzureSubject) => (s.kind === 'key' ? `key ${s.keyId}` : `key version ${s.versionId}`);

/** The port's error for a failed Azure call. Never throws; returns an Error to throw. */
export function azureFailure(error: unknown, operation: AzureOperation, subject: AzureSubject): Error {
  if (error instanceof KeyVaultError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; statusCode?: unknown; code?: unknown };
  const name = typeof e.name === 'string' ? e.name : '';
  if (name === 'AbortError' || name === 'TimeoutError') {
    return new KeyVaultUnavailableError('timeout', `Azure Key Vault did not answer ${operation} on ${subjectText(subject)} in time`);
  }
  // @azure/identity: no credential source worked (often a managed identity endpoint not answering), or
  // the token service failed or refused.
  if (name === 'CredentialUnavailableError') {
    return new KeyVaultUnavailableError(
      'unavailable',
      'no Azure credential could be obtained (DefaultAzureCredential: AZURE_* environment, workload identity or managed identity)',
    );
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  if (name === 'AuthenticationError') {
    if (status === undefined || status >= 500 || status === 429) {
      return new KeyVaultUnavailableError('unavailable', 'the Azure identity service is unavailable');
    }
    return new KeyVaultAccessDeniedError(operation, subjectText(subject), 'the Azure credential was rejected (check AZURE_TENANT_ID, AZURE_CLIENT_ID and its secret or certificate)');
  }
  // The SDK's RestError (@azure/core-rest-pipeline), recognised by name as its own isRestError does.
  if (name !== 'RestError') return error instanceof Error ? error : new Error(String(error));
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (status === undefined || status === 408 || status === 429 || status >= 500) {
    return new KeyVaultUnavailableError('unavailable', `Azure Key Vault is unavailable (${operation} on ${subjectText(subject)}: ${status === undefined ? code ?? 'no answer' : `HTTP ${status}`})`);
  }
  if (status === 404) return subject.kind === 'key' ? new UnknownKeyError(subject.keyId) : new UnknownKeyVersionError(subject.versionId);
  if (status === 401 || status === 403) return new KeyVaultAccessDeniedError(operation, subjectText(subject), REQUIRED_PERMISSIONS);
  if (status === 409) {
    // Creating under a name that is soft-deleted: the tenant's key was deleted (resurrection guard).
    if (operation === 'create' && subject.kind === 'key') return new KeyTombstonedError(subject.keyId, subject.tenantId ?? '(unknown tenant)');
    return new KeyVaultUnavailableError('unavailable', `Azure Key Vault is still completing an earlier operation on ${subjectText(subject)} (HTTP 409); retry later`);
  }
  if (status === 400 && operation === 'unwrap' && subject.kind === 'version') return new UnwrapFailedError(subject.versionId);
  return new AzureKeyVaultRefusedError(operation, subjectText(subject), status, code);
}
