// EventStoreDB (KurrentDB) adapter of the EventStore port, over @eventstore/db-client's gRPC API.
// Streams are EventStoreDB streams; the global log is $all filtered to Lethe's stream categories
// (on the server for subscriptions, streamNameFilter; here for reads, which the client cannot
// filter), with positions as described in esdb-mapping.ts.
//
// Replays. EventStoreDB itself recognises a retried append (same event ids at the same expected
// revision) and answers it without writing; for 'any' and 'exists' its check relies on a cache of
// recent writes. So for those two the adapter reads the stream first, answers a replay from what is
// stored, and otherwise appends at the exact revision it read (retrying on a race): a retry is then
// a no-op however old the first append is. Ids are unique per stream here, not across the store
// (EventStoreDB has no index of event ids): DuplicateEventIdError is raised only within a stream.
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START as ESDB_START,
  StreamNotFoundError,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type Filter,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import { START } from '../event-store.js';
import { noteAppended } from '../appended-positions.js';
import type {
  AppendResult,
  EventHandler,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadEventOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store.js';
import { DuplicateEventIdError, InvalidAppendError, WrongExpectedRevisionError, type ActualRevision } from '../errors.js';
import { UUID, satisfies, validateAppend } from '../append-rules.js';
import {
  categoryPrefixes,
  fromClientEvent,
  isWrongExpectedVersion,
  toClientEvent,
  toClientExpectedRevision,
  toReadPosition,
  toWrongExpectedRevision,
} from './esdb-mapping.js';
import { EsdbSubscription } from './esdb-subscription.js';

export interface EventStoreDbEventStoreOptions {
  /** Lethe's stream categories (`tenant`, `keys`...): $all is read and followed filtered to `<category>-*`. */
  readonly categories: readonly string[];
}

/** Attempts of an 'any'/'exists' append that keeps losing its revision to other writers. */
const MAX_RACE_ATTEMPTS = 200;

export class EventStoreDbEventStore implements EventStore {
  private readonly filter: Filter;
  private readonly prefixes: readonly string[];
  private readonly subscriptions = new Set<Subscription>();

  constructor(
    private readonly client: EventStoreDBClient,
    options: EventStoreDbEventStoreOptions,
  ) {
    this.prefixes = categoryPrefixes(options.categories);
    this.filter = streamNameFilter({ prefixes: [...this.prefixes] });
  }

  /** A client for the connection string (esdb:// or kurrentdb://); nothing is sent until the first call. */
  static connect(connectionString: string, options: EventStoreDbEventStoreOptions): EventStoreDbEventStore {
    return new EventStoreDbEventStore(EventStoreDBClient.connectionString(connectionString), options);
  }

  async append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    return noteAppended(await this.appendEvents(streamId, events, expected));
  }

  private async appendEvents(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    validateAppend(streamId, events, expected);
    if (events.length === 0) return this.emptyAppend(streamId, expected);
    const exact = typeof expected === 'bigint' || expected === 'no-stream';
    for (let attempt = 1; ; attempt++) {
      let sent: AppendExpectedRevision = toClientExpectedRevision(expected);
      if (!exact) {
        const stored = await this.readStream(streamId);
        const replay = findReplay(streamId, events, stored);
        if (replay) return replay;
        if (stored.length === 0 && expected === 'exists') throw new WrongExpectedRevisionError(streamId, expected, 'no-stream');
        sent = stored.length === 0 ? NO_STREAM : stored[stored.length - 1].revision;
      }
      try {
        const result = await this.client.appendToStream(streamId, events.map(toClientEvent), { expectedRevision: sent });
        return await this.answer(streamId, events, result.nextExpectedRevision, result.position === undefined);
      } catch (error) {
        if (!isWrongExpectedVersion(error)) throw error;
        if (exact) {
          const replay = findReplay(streamId, events, await this.readStream(streamId));
          if (replay) return replay;
          throw toWrongExpectedRevision(error, streamId, expected);
        }
        // Another writer took the revision read above: read again (the next turn also finds a replay).
        if (attempt >= MAX_RACE_ATTEMPTS) throw toWrongExpectedRevision(error, streamId, expected);
      }
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    const read = this.client.readStream(streamId, {
      direction: FORWARDS,
      fromRevision: options.fromRevision ?? ESDB_START,
      maxCount: options.limit ?? Number.MAX_SAFE_INTEGER,
    });
    try {
      await visit(read, (resolved) => {
        const event = fromClientEvent(resolved);
        if (event) out.push(event);
      });
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return out;
  }

  /**
   * EventStoreDB keeps no index of event ids: with `streams` this reads those streams; without, it
   * scans Lethe's part of $all from the newest event back, which stops early for a recent event but
   * costs a full scan for an id never stored (see docs/adapters/eventstoredb.md).
   */
  async readEvent(eventId: string, options: ReadEventOptions = {}): Promise<RecordedEvent | null> {
    if (!UUID.test(eventId)) return null;
    const wanted = eventId.toLowerCase();
    if (options.streams) {
      for (const streamId of options.streams) {
        const found = (await this.readStream(streamId)).find((e) => e.id.toLowerCase() === wanted);
        if (found) return found;
      }
      return null;
    }
    let found: RecordedEvent | null = null;
    await visit(this.client.readAll({ direction: BACKWARDS, fromPosition: END }), (resolved) => {
      if (resolved.event?.id.toLowerCase() !== wanted) return false;
      found = this.ours(resolved) ?? null;
      return true;
    });
    return found;
  }

  async readAll(after: bigint, limit: number): Promise<RecordedEvent[]> {
    if (after < 0n) throw new InvalidAppendError('after', 'must be >= 0');
    if (!Number.isInteger(limit) || limit < 1) throw new InvalidAppendError('limit', 'must be a positive integer');
    const out: RecordedEvent[] = [];
    // The client's readAll takes no server-side filter: other streams are skipped here, and the read
    // is cancelled once the page is full. It includes the event at `after` itself.
    await visit(this.client.readAll({ direction: FORWARDS, fromPosition: toReadPosition(after) }), (resolved) => {
      const event = this.ours(resolved);
      if (event && event.position > after) out.push(event);
      return out.length === limit;
    });
    return out;
  }

  async head(): Promise<bigint> {
    let head = START;
    await visit(this.client.readAll({ direction: BACKWARDS, fromPosition: END }), (resolved) => {
      const event = this.ours(resolved);
      if (event) head = event.position;
      return event !== undefined;
    });
    return head;
  }

  subscribe(after: bigint, handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    const subscription = new EsdbSubscription(
      () => this.client.subscribeToAll({ fromPosition: toReadPosition(after), filter: this.filter }),
      () => this.head(),
      (resolved) => this.ours(resolved),
      after,
      handler,
      options,
    );
    this.subscriptions.add(subscription);
    void subscription.done.finally(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  /** Stops every subscription, then closes the client's connection. */
  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.client.dispose();
  }

  /** The server filters by prefix; checked again here so a server that ignored the filter cannot feed in other streams. */
  private ours(resolved: AllStreamResolvedEvent | ResolvedEvent): RecordedEvent | undefined {
    const streamId = resolved.event?.streamId;
    if (streamId === undefined || !this.prefixes.some((p) => streamId.startsWith(p))) return undefined;
    return fromClientEvent(resolved as ResolvedEvent);
  }

  /** What the port answers after a successful append: the events' revisions and positions as stored. */
  private async answer(streamId: string, events: readonly EventToAppend[], nextRevision: bigint, replayed: boolean): Promise<AppendResult> {
    const first = nextRevision - BigInt(events.length - 1);
    const stored = await this.readStream(streamId, { fromRevision: first, limit: events.length });
    const matches = stored.length === events.length && stored.every((e, i) => e.id.toLowerCase() === events[i].id.toLowerCase());
    if (!matches) throw new Error(`append to ${streamId} succeeded but revisions ${first}..${nextRevision} do not hold its events`);
    return { nextRevision, positions: stored.map((e) => e.position), replayed };
  }

  private async emptyAppend(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const actual = await this.currentRevision(streamId);
    if (!satisfies(expected, actual)) throw new WrongExpectedRevisionError(streamId, expected, actual);
    return { nextRevision: actual === 'no-stream' ? -1n : actual, positions: [], replayed: false };
  }

  private async currentRevision(streamId: string): Promise<ActualRevision> {
    let actual: ActualRevision = 'no-stream';
    try {
      await visit(this.client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }), (resolved) => {
        if (resolved.event) actual = resolved.event.revision;
      });
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    return actual;
  }
}

/**
 * Hands each event of a read to `each` until it returns true or the read ends, then cancels the
 * call: leaving the loop early only unpipes the client's stream, which would keep the server's
 * read open.
 */
async function visit<E>(read: StreamingRead<E>, each: (event: E) => boolean | void): Promise<void> {
  try {
    for await (const event of read) if (each(event as E) === true) return;
  } finally {
    await read.cancel().catch(() => undefined);
  }
}

/**
 * The stored events that a retried append re-appends (same ids, consecutive, in order), answered
 * like the first append; undefined when none of the ids is stored; DuplicateEventIdError when only
 * some are, or not in that order.
 */
export function findReplay(streamId: string, events: readonly EventToAppend[], stored: readonly RecordedEvent[]): AppendResult | undefined {
  const byId = new Map(stored.map((e, i) => [e.id.toLowerCase(), i]));
  const at = events.map((e) => byId.get(e.id.toLowerCase()));
  if (at.every((i) => i === undefined)) return undefined;
  const first = at[0];
  if (first === undefined || at.some((i, k) => i !== first + k)) {
    const clash = events.find((e) => byId.has(e.id.toLowerCase())) ?? events[0];
    throw new DuplicateEventIdError(streamId, clash.id);
  }
  const mine = stored.slice(first, first + events.length);
  return { nextRevision: mine[mine.length - 1].revision, positions: mine.map((e) => e.position), replayed: true };
}
