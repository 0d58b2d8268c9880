// Turns a rule the domain refused into the HTTP answer a caller can act on.
import { DomainError } from '@lethe/domain';
import { ProblemException } from '../http/index.js';

const NOT_FOUND = new Set(['tenant-not-found', 'shred-not-found']);

export async function answering<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError) {
      if (NOT_FOUND.has(error.code)) throw ProblemException.notFound(error.message, { code: error.code });
      throw ProblemException.conflict(error.message, `urn:lethe:problem:${error.code}`, { code: error.code });
    }
    throw error;
  }
}
