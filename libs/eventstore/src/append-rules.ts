// What every adapter checks before an append, and what an expectation accepts: one rule for all
// stores, so a bad append fails the same way (naming the field) whichever store is configured.
import type { EventToAppend, ExpectedRevision } from './event-store.js';
import { InvalidAppendError, type ActualRevision } from './errors.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function satisfies(expected: ExpectedRevision, actual: ActualRevision): boolean {
  if (expected === 'any') return true;
  if (expected === 'no-stream') return actual === 'no-stream';
  if (expected === 'exists') return actual !== 'no-stream';
  return actual === expected;
}

export function validateAppend(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): void {
  if (typeof streamId !== 'string' || streamId.length === 0 || streamId.length > 500) {
    throw new InvalidAppendError('streamId', 'must be a non-empty string of at most 500 characters');
  }
  if (typeof expected === 'bigint' && expected < 0n) {
    throw new InvalidAppendError('expectedRevision', "must be >= 0, 'no-stream', 'exists' or 'any'");
  }
  const seen = new Set<string>();
  events.forEach((e, i) => {
    if (typeof e.id !== 'string' || !UUID.test(e.id)) throw new InvalidAppendError(`events[${i}].id`, 'must be a UUID');
    if (seen.has(e.id.toLowerCase())) throw new InvalidAppendError(`events[${i}].id`, 'must be unique within the append');
    seen.add(e.id.toLowerCase());
    if (typeof e.type !== 'string' || e.type.length === 0) throw new InvalidAppendError(`events[${i}].type`, 'must be a non-empty string');
    if (e.data === undefined) throw new InvalidAppendError(`events[${i}].data`, 'must be JSON');
  });
}
