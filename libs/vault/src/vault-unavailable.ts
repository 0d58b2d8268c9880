// How the KeyVault port says "the vault did not answer": an outage, not a refusal. Callers retry such
// a failure (a durable timer with capped backoff, for as long as it lasts) or answer 503; only a refusal
// (a typed KeyVaultError such as UnknownKeyError) or a bug is final. Adapters throw
// KeyVaultUnavailableError themselves; isKeyVaultUnavailable also recognises what vault clients and
// their transports throw before an adapter could translate it (connection errors, timeouts, 5xx).
import { KeyVaultError } from './errors.js';

/** The vault could not be reached or did not answer in time. The message names no key and no secret. */
export class KeyVaultUnavailableError extends KeyVaultError {
  readonly code: 'VAULT_UNAVAILABLE' | 'VAULT_TIMEOUT';
  constructor(kind: 'unavailable' | 'timeout' = 'unavailable', message?: string) {
    super(message ?? (kind === 'timeout' ? 'the key vault did not answer in time' : 'the key vault is unavailable'));
    this.name = 'KeyVaultUnavailableError';
    this.code = kind === 'timeout' ? 'VAULT_TIMEOUT' : 'VAULT_UNAVAILABLE';
  }
}

/** Node's socket and DNS error codes for a service that cannot be reached (or stopped answering). */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

/**
 * PostgreSQL SQLSTATEs of a server that cannot serve now (the local adapter's vault is a database):
 * class 08 (connection exception), 57P01–57P03 (shutdown, cannot connect now), 53300 (too many connections).
 */
function isServerUnavailableState(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';
}

/**
 * True for a failure that says the vault is unavailable, not that it refused: KeyVaultUnavailableError
 * (or an error coded VAULT_UNAVAILABLE / VAULT_TIMEOUT), a connection or timeout error code, an HTTP
 * status of 5xx or 429 (`status` or `statusCode`, as the Azure and AWS SDKs set them), a PostgreSQL
 * connection-class SQLSTATE (the local adapter), an abort by timeout (TimeoutError), or any of these as the error's `cause`. A typed refusal (any other
 * KeyVaultError) is never unavailable.
 */
export function isKeyVaultUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false;
  if (error instanceof KeyVaultUnavailableError) return true;
  const { code, status, statusCode, name, cause } = error as { code?: unknown; status?: unknown; statusCode?: unknown; name?: unknown; cause?: unknown };
  if (code === 'VAULT_UNAVAILABLE' || code === 'VAULT_TIMEOUT') return true;
  if (error instanceof KeyVaultError) return false;
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || isServerUnavailableState(code))) return true;
  const http = typeof statusCode === 'number' ? statusCode : status;
  if (typeof http === 'number' && (http >= 500 || http === 429)) return true;
  if (name === 'TimeoutError') return true;
  return cause !== undefined && isKeyVaultUnavailable(cause, depth + 1);
}
