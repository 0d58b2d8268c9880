// How Azure Key Vault's failures (the SDK's RestError and the identity library's errors) become the
// KeyVault port's typed errors. Messages name ids, statuses and codes only, never Azure's own text.
import { RestError } from '@azure/core-rest-pipeline';
import { KeyTombstonedError, KeyVaultAccessDeniedError, UnknownKeyError, UnknownKeyVersionError, UnwrapFailedError } from '../errors.js';
import { isKeyVaultUnavailable, KeyVaultUnavailableError } from '../vault-unavailable.js';
import { AzureKeyVaultRefusedError, azureFailure, type AzureSubject } from './azure-errors.js';

const key: AzureSubject = { kind: 'key', keyId: 'lethe-t-acme', tenantId: 'acme' };
const version: AzureSubject = { kind: 'version', versionId: 'lethe-t-acme/0123456789abcdef0123456789abcdef' };
const rest = (statusCode: number | undefined, code: string, message = 'the service said something with a secret-looking 6b3a9f0c2d4e8a1b') =>
  new RestError(message, { statusCode, code });
const named = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error('identity failure'), { name, ...extra });

describe('azureFailure', () => {
  it.each([
    ['404 KeyNotFound on a key', rest(404, 'KeyNotFound'), 'list', key, UnknownKeyError],
    ['404 KeyNotFound on a version', rest(404, 'KeyNotFound'), 'wrap', version, UnknownKeyVersionError],
    ['409 Conflict creating a soft-deleted name', rest(409, 'Conflict'), 'create', key, KeyTombstonedError],
    ['400 BadParameter on unwrap', rest(400, 'BadParameter'), 'unwrap', version, UnwrapFailedError],
    ['403 Forbidden', rest(403, 'Forbidden'), 'wrap', version, KeyVaultAccessDeniedError],
    ['403 ForbiddenByPolicy', rest(403, 'ForbiddenByPolicy'), 'create', key, KeyVaultAccessDeniedError],
    ['401 Unauthorized', rest(401, 'Unauthorized'), 'list', key, KeyVaultAccessDeniedError],
    ['a rejected credential', named('AuthenticationError', { statusCode: 400 }), 'create', key, KeyVaultAccessDeniedError],
    ['400 BadParameter elsewhere', rest(400, 'BadParameter'), 'create', key, AzureKeyVaultRefusedError],
  ] as const)('%s → %p', (_what, error, operation, subject, expected) => {
    const mapped = azureFailure(error, operation, subject);
    expect(mapped).toBeInstanceOf(expected);
    expect(isKeyVaultUnavailable(mapped)).toBe(false);
    expect(mapped.message).not.toMatch(/secret-looking|6b3a9f0c/);
  });

  it.each([
    ['429 Throttled', rest(429, 'Throttled')],
    ['503 ServiceUnavailable', rest(503, 'ServiceUnavailable')],
    ['500 InternalServerError', rest(500, 'InternalServerError')],
    ['408 RequestTimeout', rest(408, 'RequestTimeout')],
    ['no answer (REQUEST_SEND_ERROR)', rest(undefined, 'REQUEST_SEND_ERROR')],
    ['409 Conflict while an operation is in progress', rest(409, 'Conflict')],
    ['no credential could be obtained', named('CredentialUnavailableError')],
    ['the identity service failing', named('AuthenticationError', { statusCode: 503 })],
  ] as const)('%s → vault unavailable (retried, never a refusal)', (_what, error) => {
    const mapped = azureFailure(error, 'delete', key);
    expect(mapped).toBeInstanceOf(KeyVaultUnavailableError);
    expect(isKeyVaultUnavailable(mapped)).toBe(true);
    expect((mapped as KeyVaultUnavailableError).code).toBe('VAULT_UNAVAILABLE');
  });

  it('our request timeout (AbortSignal.timeout) is a vault timeout', () => {
    for (const name of ['AbortError', 'TimeoutError']) {
      const mapped = azureFailure(named(name), 'unwrap', version);
      expect(mapped).toBeInstanceOf(KeyVaultUnavailableError);
      expect((mapped as KeyVaultUnavailableError).code).toBe('VAULT_TIMEOUT');
    }
  });

  it('names the operation, the subject, the status and the code, and the permissions a refused identity needs', () => {
    expect(azureFailure(rest(400, 'BadParameter'), 'create', key).message).toBe('Azure Key Vault refused create on key lethe-t-acme: HTTP 400 BadParameter');
    expect(azureFailure(rest(403, 'Forbidden'), 'unwrap', version).message).toMatch(/unwrap on key version lethe-t-acme\/0123.*unwrapKey.*Key Vault Crypto Officer/);
    expect((azureFailure(rest(409, 'Conflict'), 'create', key) as KeyTombstonedError).tenantId).toBe('acme');
  });

  it('passes the port’s own errors and anything unknown through', () => {
    const own = new UnknownKeyError('k');
    expect(azureFailure(own, 'list', key)).toBe(own);
    const bug = new TypeError('not a vault answer');
    expect(azureFailure(bug, 'list', key)).toBe(bug);
  });
});
