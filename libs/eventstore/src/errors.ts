import type { ExpectedRevision } from './event-store.js';

export type ActualRevision = bigint | 'no-stream';

function show(r: ExpectedRevision | ActualRevision): string {
  return typeof r === 'bigint' ? r.toString() : r;
}

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: ActualRevision,
  ) {
    super(`wrong expected revision on stream ${streamId}: expected ${show(expected)}, actual ${show(actual)}`);
    this.name = 'WrongExpectedRevisionError';
  }
}

/** An event id already used by a different event (another stream or another place in this one). */
export class DuplicateEventIdError extends Error {
  constructor(readonly streamId: string, readonly eventId: string) {
    super(`event id ${eventId} is already stored elsewhere than this append to ${streamId}`);
    this.name = 'DuplicateEventIdError';
  }
}

export class InvalidAppendError extends Error {
  constructor(readonly field: string, readonly rule: string) {
    super(`${field}: ${rule}`);
    this.name = 'InvalidAppendError';
  }
}
