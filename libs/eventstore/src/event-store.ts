// The event store port. Shaped after EventStoreDB (expected revisions, per-stream revisions, one
// global position) so that its adapter fits the same contract tests as the PostgreSQL one.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What the caller expects the stream to look like before the append. */
export type ExpectedRevision = 'no-stream' | 'any' | 'exists' | bigint;

export interface EventToAppend {
  /** A UUID. Derive it from the cause so a retried command appends nothing new. */
  readonly id: string;
  readonly type: string;
  readonly data: JsonValue;
  readonly metadata?: Readonly<Record<string, JsonValue>>;
}

export interface RecordedEvent {
  readonly id: string;
  readonly streamId: string;
  /** 0-based position within the stream. */
  readonly revision: bigint;
  /** Position in the global log; strictly increasing in read order, may have gaps. */
  readonly position: bigint;
  readonly type: string;
  readonly data: JsonValue;
  readonly metadata: Readonly<Record<string, JsonValue>>;
  readonly recordedAt: Date;
}

export interface ReadEventOptions {
  /** Look only in these streams (null when the event is elsewhere). */
  readonly streams?: readonly string[];
}

export interface AppendResult {
  /** Revision of the last event of the stream after the append. */
  readonly nextRevision: bigint;
  /** Global positions of the appended (or, for a replay, the already stored) events. */
  readonly positions: readonly bigint[];
  /**
   * True when every event was already stored (the same ids: a replay) and nothing was appended. The
   * stored events may carry another body than the ones given: the caller decides what that means.
   */
  readonly replayed: boolean;
}

export interface ReadStreamOptions {
  /** First revision to return (inclusive). Default 0. */
  readonly fromRevision?: bigint;
  readonly limit?: number;
}

/** The global log starts after position 0. */
export const START: bigint = 0n;

export type EventHandler = (event: RecordedEvent) => Promise<void>;

export interface SubscribeOptions {
  /** Called once when the subscription has delivered everything stored when it started. */
  readonly onCaughtUp?: () => void;
  /** Called when the handler throws; the subscription stops after it. */
  readonly onError?: (error: unknown) => void;
}

export interface Subscription {
  /** Stops after the event in hand; resolves once the handler is idle. */
  stop(): Promise<void>;
  /** Position of the last event handled. */
  readonly position: bigint;
  /** Resolves when the subscription stops (by stop() or because the handler threw). */
  readonly done: Promise<void>;
}

export interface EventStore {
  append(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): Promise<AppendResult>;
  /** Events of one stream in revision order; empty for a stream that does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * The stored event with this id (a UUID, any case), or null. Ids derive from causes, so a caller
   * that knows the cause finds what it appended without reading the stream. `streams`, when given,
   * limits the search to those streams: a store without an index of event ids (EventStoreDB) then
   * reads them instead of its whole log.
   */
  readEvent(eventId: string, options?: ReadEventOptions): Promise<RecordedEvent | null>;
  /** Events of the global log strictly after `after`, in global order, never passing an in-flight append. */
  readAll(after: bigint, limit: number): Promise<RecordedEvent[]>;
  /**
   * The global position of the newest committed event (START for an empty log): a write that has
   * answered is at or below it, so a reader that waits for its projections to reach it reads that write.
   */
  head(): Promise<bigint>;
  /** Catch-up from `after`, then live; one event at a time, in global order. */
  subscribe(after: bigint, handler: EventHandler, options?: SubscribeOptions): Subscription;
}

/** Nest injection token for the EventStore port. */
export const EVENT_STORE = Symbol('EventStore');
