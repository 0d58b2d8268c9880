// Every translation between the port and @eventstore/db-client, with the client's own values,
// constants and error classes, and resolved events shaped as the client yields them (no server).
import { randomUUID } from 'node:crypto';
import {
  ANY,
  NO_STREAM,
  START as ESDB_START,
  STREAM_EXISTS,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { WrongExpectedRevisionError } from '../errors.js';
import {
  MissingPositionError,
  UnrepresentablePositionError,
  categoryPrefixes,
  fromClientCurrentRevision,
  fromClientEvent,
  fromClientMetadata,
  fromClientPosition,
  toClientEvent,
  toClientExpectedRevision,
  toClientMetadata,
  toReadPosition,
  toWrongExpectedRevision,
} from './esdb-mapping.js';

const created = new Date('2026-11-30T12:00:00.000Z');

function jsonResolved(overrides: Partial<AllStreamResolvedEvent['event'] & object> = {}): AllStreamResolvedEvent {
  return {
    event: {
      streamId: 'tenant-t1',
      id: '6f1c2a0e-5d4b-4c3a-9e8f-7a6b5c4d3e2f',
      isJson: true,
      revision: 4n,
      type: 'ShredScheduled',
      created,
      data: { tenantId: 't1' },
      metadata: { schemaVersion: 2, causationId: 'termination:x', $causationId: 'termination:x' },
      position: { commit: 1234n, prepare: 1234n },
      ...overrides,
    } as AllStreamResolvedEvent['event'],
    commitPosition: 1234n,
  } as AllStreamResolvedEvent;
}

describe('expected revisions', () => {
  it("maps 'no-stream', 'any', 'exists' and a revision to the client's NO_STREAM, ANY, STREAM_EXISTS and bigint", () => {
    expect(toClientExpectedRevision('no-stream')).toBe(NO_STREAM);
    expect(toClientExpectedRevision('any')).toBe(ANY);
    expect(toClientExpectedRevision('exists')).toBe(STREAM_EXISTS);
    expect(toClientExpectedRevision(0n)).toBe(0n);
    expect(toClientExpectedRevision(41n)).toBe(41n);
  });

  it("maps the client's current revision back: NO_STREAM to 'no-stream', a revision to itself", () => {
    expect(fromClientCurrentRevision(NO_STREAM)).toBe('no-stream');
    expect(fromClientCurrentRevision(7n)).toBe(7n);
  });
});

describe('wrong expected version', () => {
  it("becomes the port's WrongExpectedRevisionError with the caller's expectation and the server's actual revision", () => {
    const clientError = new WrongExpectedVersionError(undefined, { streamName: 'keys-t1', expected: 2n, current: 5n });
    const ours = toWrongExpectedRevision(clientError, 'keys-t1', 2n);
    expect(ours).toBeInstanceOf(WrongExpectedRevisionError);
    expect(ours).toMatchObject({ streamId: 'keys-t1', expected: 2n, actual: 5n });
    expect(ours.message).toBe('wrong expected revision on stream keys-t1: expected 2, actual 5');
  });

  it("reports a stream the server says does not exist as 'no-stream'", () => {
    const clientError = new WrongExpectedVersionError(undefined, { streamName: 'tenant-t2', expected: STREAM_EXISTS, current: NO_STREAM });
    expect(toWrongExpectedRevision(clientError, 'tenant-t2', 'exists')).toMatchObject({ expected: 'exists', actual: 'no-stream' });
  });

  it("keeps the caller's 'any' when the adapter sent the server an exact revision", () => {
    const clientError = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 3n, current: 4n });
    expect(toWrongExpectedRevision(clientError, 's', 'any')).toMatchObject({ expected: 'any', actual: 4n });
  });
});

describe('positions', () => {
  it('is the log position of an event of $all, whose commit and prepare positions are equal', () => {
    expect(fromClientPosition({ commit: 0n, prepare: 0n })).toBe(0n);
    expect(fromClientPosition({ commit: 9_223_372_036_854_775_000n, prepare: 9_223_372_036_854_775_000n })).toBe(9_223_372_036_854_775_000n);
  });

  it('refuses a position with commit != prepare (explicit transaction) rather than checkpoint it wrong', () => {
    expect(() => fromClientPosition({ commit: 100n, prepare: 180n })).toThrow(UnrepresentablePositionError);
    expect(() => fromClientPosition({ commit: 100n, prepare: 180n })).toThrow('commit != prepare');
  });

  it("keeps $all's order: later events have larger positions", () => {
    const positions = [
      { commit: 512n, prepare: 512n },
      { commit: 700n, prepare: 700n },
      { commit: 4096n, prepare: 4096n },
    ].map(fromClientPosition);
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
  });

  it("starts a read after START at the client's START, and after a position at that position's event", () => {
    expect(toReadPosition(0n)).toBe(ESDB_START);
    expect(toReadPosition(1234n)).toEqual({ commit: 1234n, prepare: 1234n });
    expect(() => toReadPosition(-1n)).toThrow(RangeError);
  });

  it('round-trips: the read position of a mapped position names the same event', () => {
    const position = { commit: 88_000n, prepare: 88_000n };
    expect(toReadPosition(fromClientPosition(position))).toEqual(position);
  });
});

describe('metadata', () => {
  it("writes every key, and causation/correlation also under EventStoreDB's $causationId/$correlationId", () => {
    const metadata = { schemaVersion: 3, causationId: 'termination:t-1', correlationId: 'req-9', occurredAt: '2026-11-30T10:00:00.000Z' };
    expect(toClientMetadata(metadata)).toEqual({ ...metadata, $causationId: 'termination:t-1', $correlationId: 'req-9' });
    expect(toClientMetadata(undefined)).toEqual({});
    expect(toClientMetadata({ schemaVersion: 1 })).toEqual({ schemaVersion: 1 });
  });

  it('reads back exactly what was given (the $ keys folded away)', () => {
    const metadata = { schemaVersion: 3, causationId: 'termination:t-1', correlationId: 'req-9', occurredAt: '2026-11-30T10:00:00.000Z' };
    expect(fromClientMetadata(toClientMetadata(metadata))).toEqual(metadata);
    expect(fromClientMetadata(toClientMetadata({ schemaVersion: 1 }))).toEqual({ schemaVersion: 1 });
  });

  it('takes $causationId/$correlationId as causation/correlation when another system set only those', () => {
    expect(fromClientMetadata({ $causationId: 'c', $correlationId: 'k', source: 'crm' })).toEqual({ causationId: 'c', correlationId: 'k', source: 'crm' });
  });

  it('reads metadata that is not a JSON object (absent, binary, an array) as none, and binary JSON as JSON', () => {
    expect(fromClientMetadata(undefined)).toEqual({});
    expect(fromClientMetadata(new Uint8Array([0xff, 0x00]))).toEqual({});
    expect(fromClientMetadata(['a'])).toEqual({});
    expect(fromClientMetadata(new TextEncoder().encode('{"schemaVersion":1}'))).toEqual({ schemaVersion: 1 });
  });
});

describe('events', () => {
  it("sends an event as JSON with the caller's id, type, data and mapped metadata", () => {
    const id = randomUUID();
    expect(toClientEvent({ id, type: 'KeyRingOpened', data: { a: [1, null] }, metadata: { schemaVersion: 1, causationId: 'c' } })).toEqual({
      id,
      contentType: 'application/json',
      type: 'KeyRingOpened',
      data: { a: [1, null] },
      metadata: { schemaVersion: 1, causationId: 'c', $causationId: 'c' },
    });
    expect(toClientEvent({ id, type: 'T', data: null }).metadata).toEqual({});
  });

  it('reads a resolved JSON event of $all into the recorded event', () => {
    expect(fromClientEvent(jsonResolved())).toEqual({
      id: '6f1c2a0e-5d4b-4c3a-9e8f-7a6b5c4d3e2f',
      streamId: 'tenant-t1',
      revision: 4n,
      position: 1234n,
      type: 'ShredScheduled',
      data: { tenantId: 't1' },
      metadata: { schemaVersion: 2, causationId: 'termination:x' },
      recordedAt: created,
    });
  });

  it('reads binary data another system appended as JSON when it parses, else as base64 text', () => {
    const asJson = jsonResolved({ isJson: false, data: new TextEncoder().encode('{"n":1}'), metadata: undefined } as never);
    expect(fromClientEvent(asJson)).toMatchObject({ data: { n: 1 }, metadata: {} });
    const opaque = jsonResolved({ isJson: false, data: new Uint8Array([0xde, 0xad]), metadata: undefined } as never);
    expect(fromClientEvent(opaque)?.data).toBe(Buffer.from([0xde, 0xad]).toString('base64'));
  });

  it('skips a resolved event without an event (a link to a deleted one)', () => {
    expect(fromClientEvent({ commitPosition: 5n } as ResolvedEvent)).toBeUndefined();
  });

  it('refuses an event without its position (servers before 22.6) naming the version needed', () => {
    const old = jsonResolved({ position: undefined } as never);
    expect(() => fromClientEvent(old)).toThrow(MissingPositionError);
    expect(() => fromClientEvent(old)).toThrow('22.6');
  });

  it('refuses an event of an explicit transaction', () => {
    expect(() => fromClientEvent(jsonResolved({ position: { commit: 10n, prepare: 20n } } as never))).toThrow(UnrepresentablePositionError);
  });
});

describe('stream categories', () => {
  it('filters $all to `<category>-` prefixes', () => {
    expect(categoryPrefixes(['tenant', 'keys', 'contract', 'calendar'])).toEqual(['tenant-', 'keys-', 'contract-', 'calendar-']);
  });

  it('refuses no category, or one that is not lowercase letters and digits', () => {
    expect(() => categoryPrefixes([])).toThrow(RangeError);
    expect(() => categoryPrefixes(['Tenant'])).toThrow('lowercase');
    expect(() => categoryPrefixes(['a-'])).toThrow(RangeError);
    expect(() => categoryPrefixes(['a--b'])).toThrow(RangeError);
    expect(() => categoryPrefixes(['-a'])).toThrow(RangeError);
  });

  it('takes categories of several words joined by hyphens, unless one prefix starts another', () => {
    expect(categoryPrefixes(['tenant', 'break-glass', 'privileged-refusals'])).toEqual(['tenant-', 'break-glass-', 'privileged-refusals-']);
    expect(() => categoryPrefixes(['break', 'break-glass'])).toThrow('look like the other');
  });
});
