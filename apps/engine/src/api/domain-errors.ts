// Turns a rule the domain refused into the HTTP answer a caller can act on.
import { DomainError } from '@lethe/domain';
import { ConcurrentModificationError } from '@lethe/lifecycle';
import { ProblemException } from '../http/index.js';

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

export async function answering<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError) {
      if (NOT_FOUND.has(error.code)) throw ProblemException.notFound(error.message, { code: error.code });
      const field = error.field ?? BAD_FIELD[error.code];
      if (field) throw ProblemException.badRequest('The request breaks a rule.', [{ field, rule: error.message }]);
      throw ProblemException.conflict(error.message, `urn:lethe:problem:${error.code}`, { code: error.code });
    }
    if (error instanceof ConcurrentModificationError) {
      // Others kept writing this aggregate; nothing of this request was stored, so a retry is safe.
      throw new ProblemException({
        status: 409,
        detail: 'the tenant was changed by concurrent requests; nothing was stored, try again',
        type: `urn:lethe:problem:${error.code}`,
        headers: { 'Retry-After': String(error.retryAfterSeconds) },
        extensions: { code: error.code },
      });
    }
    throw error;
  }
}
