// Translations between the EventStore port and @eventstore/db-client's types, kept pure so each
// one is tested without a server (esdb-mapping.spec.ts).
//
// Global positions. EventStoreDB orders $all by {commit, prepare}, two byte offsets in its
// transaction log. Every event written through the gRPC API (this client, and any KurrentDB or
// EventStoreDB 20+ client) is an implicitly committed prepare, and $all reports it with
// commit = prepare = the event's own log position, unique and increasing in $all order. Only the
// explicit transactions of the retired TCP API produce commit != prepare. So the port's position is
// that one number: a bigint that fits the bigint checkpoint columns in PostgreSQL unchanged and
// orders exactly as $all does, and {commit: p, prepare: p} reads $all again from it. An event with
// commit != prepare cannot be named by one number without losing order or the way back, so it is
// refused loudly (UnrepresentablePositionError) rather than checkpointed wrong.
import {
  ANY,
  NO_STREAM,
  START as ESDB_START,
  STREAM_EXISTS,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
  type CurrentRevision,
  type EventData,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { START, type EventToAppend, type ExpectedRevision, type JsonValue, type RecordedEvent } from '../event-store.js';
import { WrongExpectedRevisionError, type ActualRevision } from '../errors.js';

/** An event of $all whose {commit, prepare} the port's single position cannot carry. */
export class UnrepresentablePositionError extends Error {
  constructor(readonly commit: bigint, readonly prepare: bigint) {
    super(
      `EventStoreDB position {commit: ${commit}, prepare: ${prepare}} has commit != prepare (an explicit transaction of the retired TCP API): ` +
        'Lethe checkpoints one number per event and refuses to guess',
    );
    this.name = 'UnrepresentablePositionError';
  }
}

/** The server answered without a position: EventStoreDB before 22.6 does so on stream reads. */
export class MissingPositionError extends Error {
  constructor(readonly eventId: string) {
    super(`EventStoreDB returned event ${eventId} without its $all position: Lethe needs EventStoreDB 22.6 or later (or KurrentDB)`);
    this.name = 'MissingPositionError';
  }
}

export function toClientExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no-stream':
      return NO_STREAM;
    case 'any':
      return ANY;
    case 'exists':
      return STREAM_EXISTS;
    default:
      return expected;
  }
}

export function fromClientCurrentRevision(current: CurrentRevision): ActualRevision {
  return current === NO_STREAM ? 'no-stream' : current;
}

/**
 * The client's conflict as the port's. `expected` is what the caller of the port asked for: the
 * adapter may have sent the server a narrower expectation (see EventStoreDbEventStore.append).
 */
export function toWrongExpectedRevision(error: WrongExpectedVersionError, streamId: string, expected: ExpectedRevision): WrongExpectedRevisionError {
  return new WrongExpectedRevisionError(streamId, expected, fromClientCurrentRevision(error.actualVersion));
}

export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionError {
  return error instanceof WrongExpectedVersionError;
}

/** The port's position of an event of $all (see the top of this file). */
export function fromClientPosition(position: Position): bigint {
  if (position.commit !== position.prepare) throw new UnrepresentablePositionError(position.commit, position.prepare);
  return position.commit;
}

/**
 * Where a read of $all starts so that it returns the events after `after`: the port's START is the
 * beginning; any other position is the event itself (reads of $all include their start, so the
 * caller drops events at or before `after`; subscriptions exclude it).
 */
export function toReadPosition(after: bigint): ReadPosition {
  if (after < START) throw new RangeError('a position is >= 0');
  return after === START ? ESDB_START : { commit: after, prepare: after };
}

// EventStoreDB's own conventions for causation and correlation, understood by its system
// projections ($by_correlation_id) and tools: written beside Lethe's own keys, folded back on read.
const ESDB_CAUSATION = '$causationId';
const ESDB_CORRELATION = '$correlationId';

export type ClientMetadata = Record<string, JsonValue>;

/** Lethe's metadata as stored: every key kept, and causation/correlation also under EventStoreDB's names. */
export function toClientMetadata(metadata: Readonly<Record<string, JsonValue>> | undefined): ClientMetadata {
  const out: ClientMetadata = { ...(metadata ?? {}) };
  if (typeof out.causationId === 'string') out[ESDB_CAUSATION] = out.causationId;
  if (typeof out.correlationId === 'string') out[ESDB_CORRELATION] = out.correlationId;
  return out;
}

/**
 * Stored metadata as Lethe's: EventStoreDB's `$causationId`/`$correlationId` become `causationId`/
 * `correlationId` (another system appending to a contract stream may set only those), and metadata
 * that is not a JSON object (binary, absent) reads as none.
 */
export function fromClientMetadata(metadata: unknown): Readonly<Record<string, JsonValue>> {
  const parsed = metadata instanceof Uint8Array ? parseJson(metadata) : metadata;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  const { [ESDB_CAUSATION]: causation, [ESDB_CORRELATION]: correlation, ...rest } = parsed as Record<string, JsonValue>;
  const out: Record<string, JsonValue> = { ...rest };
  if (out.causationId === undefined && typeof causation === 'string') out.causationId = causation;
  if (out.correlationId === undefined && typeof correlation === 'string') out.correlationId = correlation;
  return out;
}

/** An event to append, as the client sends it: JSON, with the caller's id so a retry is recognised. */
export function toClientEvent(event: EventToAppend): EventData {
  return {
    id: event.id,
    contentType: 'application/json',
    type: event.type,
    // Any JSON value: the client serialises it with JSON.stringify, whatever its declared type.
    data: event.data as Record<string, unknown>,
    metadata: toClientMetadata(event.metadata),
  };
}

/**
 * A resolved event as the port's, or undefined when it holds no event (a link to a deleted one).
 * Data appended as binary by another system is read as JSON if it parses, else as base64 text.
 */
export function fromClientEvent(resolved: ResolvedEvent): RecordedEvent | undefined {
  const event = resolved.event;
  if (!event) return undefined;
  if (!event.position) throw new MissingPositionError(event.id);
  const data: JsonValue = event.isJson ? (event.data as JsonValue) : binaryData(event.data as Uint8Array);
  return {
    id: event.id,
    streamId: event.streamId,
    revision: event.revision,
    position: fromClientPosition(event.position),
    type: event.type,
    data,
    metadata: fromClientMetadata(event.metadata),
    recordedAt: event.created,
  };
}

function binaryData(bytes: Uint8Array): JsonValue {
  const parsed = parseJson(bytes);
  return parsed === undefined ? Buffer.from(bytes).toString('base64') : parsed;
}

function parseJson(bytes: Uint8Array): JsonValue | undefined {
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as JsonValue;
  } catch {
    return undefined;
  }
}

/**
 * The stream-name prefixes of $all that are Lethe's: `<category>-`. A category is words of lowercase
 * letters and digits joined by hyphens (`privileged-refusals`); no category's prefix may start
 * another's (`break-` and `break-glass-`), or a stream could not be told apart from the other's.
 * RangeError otherwise.
 */
export function categoryPrefixes(categories: readonly string[]): string[] {
  if (categories.length === 0) throw new RangeError('at least one stream category');
  for (const c of categories) {
    if (!/^[a-z][a-z0-9]*(-[a-z][a-z0-9]*)*$/.test(c)) throw new RangeError(`stream category ${JSON.stringify(c)}: lowercase letters and digits, words joined by hyphens`);
  }
  const prefixes = categories.map((c) => `${c}-`);
  for (const p of prefixes) {
    const clash = prefixes.find((q) => q !== p && q.startsWith(p));
    if (clash) throw new RangeError(`stream categories ${JSON.stringify(p.slice(0, -1))} and ${JSON.stringify(clash.slice(0, -1))}: the streams of one would look like the other's`);
  }
  return prefixes;
}
