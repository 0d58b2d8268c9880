// Turns a rule the domain refused, or a command that kept losing optimistic races, into the HTTP
// answer a caller can act on. Applied to every /v1 controller (@UseFilters), ahead of the global
// problem+json filter, which writes the answer.
import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { DomainError } from '@lethe/domain';
import { ConcurrentModificationError } from '@lethe/lifecycle';
import { ProblemDetailsFilter, ProblemException } from '../http/index.js';

const NOT_FOUND = new Set(['tenant-not-found', 'shred-not-found', 'key-ring-not-found', 'backup-not-found', 'override-not-found']);

/** Rules about the request's own fields: 400, naming the field. */
const BAD_FIELD: Record<string, string> = {
  'unknown-database': 'databaseId',
  'backup-expiry-before-taken': 'expiresAt',
  'backup-window-invalid': 'coveredFrom',
  'invalid-rotation-period': 'rotationPeriodDays',
  'invalid-pitr-retention': 'pitrRetentionDays',
  'override-reason-invalid': 'reason',
};

/** The problem to answer for a refused command: 404 not found, 400 a bad field, 409 otherwise. */
export function problemOf(error: DomainError | ConcurrentModificationError): ProblemException {
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
  if (NOT_FOUND.has(error.code)) return ProblemException.notFound(error.message, { code: error.code });
  const field = BAD_FIELD[error.code];
  if (field) return ProblemException.badRequest('The request breaks a rule.', [{ field, rule: error.message }]);
  return ProblemException.conflict(error.message, `urn:lethe:problem:${error.code}`, { code: error.code });
}

@Catch(DomainError, ConcurrentModificationError)
export class DomainErrorFilter implements ExceptionFilter {
  private readonly problems = new ProblemDetailsFilter();

  catch(error: DomainError | ConcurrentModificationError, host: ArgumentsHost): void {
    this.problems.catch(problemOf(error), host);
  }
}
