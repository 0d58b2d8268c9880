// Turns a rule the domain refused, a privileged operation refused for want of a grant, a command that kept losing optimistic races, or a key vault (or the
// asset store) that did not answer, into the HTTP answer a caller can act on. Applied to every /v1 controller (@UseFilters), ahead of the global
// problem+json filter, which writes the answer.
import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { BlobStoreError } from '@lethe/dataplane';
import { DomainError } from '@lethe/domain';
import { BreakGlassRequiredError, ConcurrentModificationError } from '@lethe/lifecycle';
import { KeyVaultUnavailableError } from '@lethe/vault';
import { ProblemDetailsFilter, ProblemException } from '../http/index.js';
import { breakGlassRequiredProblem } from './break-glass/break-glass-problem.js';

const NOT_FOUND = new Set(['tenant-not-found', 'shred-not-found', 'key-ring-not-found', 'backup-not-found', 'override-not-found', 'grant-not-found', 'unknown-key-version']);

/**
 * Rules about who may do it: 403. ('break-glass-required' from the key ring reaches here only if a
 * caller bypassed PrivilegedUse; the use cases answer it with BreakGlassRequiredError.)
 */
const FORBIDDEN = new Set(['break-glass-self-approval', 'break-glass-required']);

/** Rules about the request's own fields: 400, naming the field. */
const BAD_FIELD: Record<string, string> = {
  'unknown-database': 'databaseId',
  'backup-expiry-before-taken': 'expiresAt',
  'backup-window-invalid': 'coveredFrom',
  'invalid-rotation-period': 'rotationPeriodDays',
  'invalid-pitr-retention': 'pitrRetentionDays',
  'override-reason-invalid': 'reason',
  // Onboarding a tenant the key vault could not make unusable within P4 (the rule names the vault setting).
  'vault-deletion-window': 'shredGraceWorkingDays',
};

/** Seconds a caller should wait before retrying a request the vault's outage refused. */
export const VAULT_RETRY_AFTER_SECONDS = 60;

/**
 * The problem to answer for a refused command: 404 not found, 400 a bad field, 409 otherwise; 503 when
 * the key vault did not answer (an outage is not the server's fault, and a command stores nothing
 * before its vault call succeeds, so a retry is safe).
 */
export function problemOf(error: DomainError | ConcurrentModificationError | KeyVaultUnavailableError | BlobStoreError | BreakGlassRequiredError): ProblemException {
  if (error instanceof BreakGlassRequiredError) return breakGlassRequiredProblem(error);
  if (error instanceof BlobStoreError) {
    // The asset store (LETHE_ASSET_STORE=azure-blob) failed before the asset was recorded: a retry
    // adopts a blob it may have written. Named by operation, status and Azure's code only.
    return new ProblemException({
      status: 503,
      detail: `the asset store is unavailable (${error.operation}: ${[error.statusCode, error.azureCode].filter((v) => v !== undefined).join(' ') || 'no answer'}); nothing was recorded, try again later`,
      type: 'urn:lethe:problem:asset-store-unavailable',
      headers: { 'Retry-After': String(VAULT_RETRY_AFTER_SECONDS) },
      extensions: { code: 'asset-store-unavailable' },
    });
  }
  if (error instanceof KeyVaultUnavailableError) {
    return new ProblemException({
      status: 503,
      detail: 'the key vault is unavailable; nothing was stored, try again later',
      type: 'urn:lethe:problem:vault-unavailable',
      headers: { 'Retry-After': String(VAULT_RETRY_AFTER_SECONDS) },
      extensions: { code: 'vault-unavailable' },
    });
  }
  if (error instanceof ConcurrentModificationError) {
    // Others kept writing this aggregate; nothing of this request was stored, so a retry is safe.
    return new ProblemException({
      status: 409,
      detail: 'the tenant was changed by concurrent requests; nothing was stored, try again',
      type: `urn:lethe:problem:${error.code}`,
      headers: { 'Retry-After': String(error.retryAfterSeconds) },
      extensions: { code: error.code },
    });
  }
  if (NOT_FOUND.has(error.code)) {
    // Its own type like every other Lethe code (a client may tell a missing tenant from a missing route).
    return new ProblemException({ status: 404, detail: error.message, type: `urn:lethe:problem:${error.code}`, extensions: { code: error.code } });
  }
  if (FORBIDDEN.has(error.code)) {
    return new ProblemException({ status: 403, detail: error.message, type: `urn:lethe:problem:${error.code}`, extensions: { code: error.code } });
  }
  // A rule about one of the command's own fields (DomainError.field): 400 naming it.
  if (error.field !== undefined) return ProblemException.badRequest('The request breaks a rule.', [{ field: error.field, rule: error.message }]);
  const field = BAD_FIELD[error.code];
  if (field) return ProblemException.badRequest('The request breaks a rule.', [{ field, rule: error.message }]);
  return ProblemException.conflict(error.message, `urn:lethe:problem:${error.code}`, { code: error.code });
}

@Catch(DomainError, ConcurrentModificationError, KeyVaultUnavailableError, BlobStoreError, BreakGlassRequiredError)
export class DomainErrorFilter implements ExceptionFilter {
  private readonly problems = new ProblemDetailsFilter();

  catch(error: DomainError | ConcurrentModificationError | KeyVaultUnavailableError | BlobStoreError | BreakGlassRequiredError, host: ArgumentsHost): void {
    this.problems.catch(problemOf(error), host);
  }
}
