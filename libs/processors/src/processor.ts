// What a processor follows, declared: stream categories and event types. The runner decodes each
// event of the global log once against the declaration: events outside it are skipped before any
// handler work, the rest are upcast to their current shape and delivered typed, with the category's
// id (the tenant id) already parsed out of the stream id.
import type pg from 'pg';
import { upcastEvent, type DomainEvent, type StreamCategory } from '@lethe/domain';
import type { JsonValue, RecordedEvent } from '@lethe/eventstore';

/**
 * An event of a category whose type the domain does not know (another system appended it: the
 * contract stream). Its data is whatever was sent: check it before use.
 */
export interface ForeignEvent {
  readonly type: string;
  readonly data: unknown;
}

/**
 * Every stream of the log, whatever its category (its category id is the whole stream id): for
 * log-wide views such as activity counts. Domain processors name the domain's categories instead.
 */
export const everyStream: StreamCategory<'*', ForeignEvent> = { name: '*', types: [], stream: (id) => id, idOf: (streamId) => streamId };

/** Follow `types` of the streams of `category`; 'any' also delivers types the domain does not know. */
export interface Interest<N extends string = string, E extends DomainEvent = DomainEvent> {
  readonly category: StreamCategory<N, DomainEvent>;
  readonly types: readonly E['type'][] | 'any';
  /** Type-level only: what this interest delivers. */
  readonly __delivers?: E;
}

/** Declares an interest in some of a category's event types (`category.types` for all of them). */
export function on<N extends string, E extends DomainEvent, const T extends E['type']>(
  category: StreamCategory<N, E>,
  types: readonly T[],
): Interest<N, Extract<E, { type: T }>>;
/** Declares an interest in every event of a category, including types the domain does not know. */
export function on<N extends string, E extends DomainEvent>(category: StreamCategory<N, E>, types: 'any'): Interest<N, E | ForeignEvent>;
export function on(category: StreamCategory, types: readonly string[] | 'any'): Interest {
  return { category, types };
}

/** The recorded facts a processor may need beside the event itself. */
export interface RecordedFacts<N extends string> {
  readonly category: N;
  /** What the stream id names after its category prefix (a tenant id, a jurisdiction). */
  readonly categoryId: string;
  readonly id: string;
  readonly streamId: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly metadata: Readonly<Record<string, JsonValue>>;
  readonly recordedAt: Date;
}

/** One member of a union E, with the recorded facts (kept a union so `type` narrows `data`). */
type WithFacts<N extends string, E> = E extends DomainEvent ? E & RecordedFacts<N> : never;

/** What an interest delivers. */
export type DeliveredBy<I> = I extends Interest<infer N, infer E> ? WithFacts<N, E> : never;

/** What a processor with these interests receives. */
export type Delivered<I extends readonly Interest[]> = DeliveredBy<I[number]>;

/**
 * Something that follows the global log: a projection, a saga's inbox. `handle` runs inside the
 * transaction that also moves the processor's checkpoint, so its PostgreSQL writes happen exactly
 * once. Effects outside PostgreSQL must be idempotent (use the event id as the message id).
 */
export interface Processor<I extends readonly Interest[] = readonly Interest[]> {
  /** Stable name: it keys the checkpoint, the lease and dead letters. */
  readonly name: string;
  /** The categories and event types it handles; every other event is skipped without a call. */
  readonly interests: I;
  handle(event: Delivered<I>, tx: pg.PoolClient): Promise<void>;
  /**
   * Optional: handles a run of events (in log order, all within the interests) leaving exactly the
   * rows `handle` would leave one by one, in fewer statements. The live runner uses it for the events a
   * page hands over together; rebuilds for each page when there is no `rebuilder`.
   */
  handleBatch?(events: readonly Delivered<I>[], tx: pg.PoolClient): Promise<void>;
  /**
   * Optional: a fold for a rebuild, which replays the whole log into emptied tables in one
   * transaction. It may keep rows in memory across pages and write them when it chooses, as long as
   * the rows it leaves after `flush(tx, true)` are exactly those `handle` leaves. One per rebuild.
   */
  rebuilder?(): ProjectionRebuilder<I>;
}

/**
 * How a rebuild projects a run of events with a rebuilder: `prepare` (read what the run needs), then
 * `fold` for each event in log order, then `flush`. Each of them runs in the rebuild's transaction.
 */
export interface ProjectionRebuilder<I extends readonly Interest[] = readonly Interest[]> {
  /** Reads the rows the run's events need and that are not held yet. */
  prepare(events: readonly Delivered<I>[], tx: pg.PoolClient): Promise<void>;
  /** Folds one event into what is held, in memory. Throws on an event the projection cannot handle. */
  fold(event: Delivered<I>): void;
  /** Writes what is held when it chooses to; everything when `last` (after the log's last event). */
  flush(tx: pg.PoolClient, last: boolean): Promise<void>;
}

/**
 * The event as `processor` receives it (upcast, typed, its category id parsed), or undefined when
 * it lies outside every interest of the processor.
 */
export function deliverable<I extends readonly Interest[]>(interests: I, event: RecordedEvent): Delivered<I> | undefined {
  for (const interest of interests) {
    const categoryId = interest.category.idOf(event.streamId);
    if (categoryId === undefined) continue;
    if (interest.types !== 'any' && !interest.types.includes(event.type)) continue;
    const current = upcastEvent(event);
    const delivered: RecordedFacts<string> & ForeignEvent = {
      category: interest.category.name,
      categoryId,
      id: current.id,
      streamId: current.streamId,
      revision: current.revision,
      position: current.position,
      metadata: current.metadata,
      recordedAt: current.recordedAt,
      type: current.type,
      data: current.data,
    };
    return delivered as Delivered<I>;
  }
  return undefined;
}

/** The subset of pino's logger the processors use. */
export interface ProcessorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: ProcessorLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Hands `event` to `processor` as the runner does (upcast, typed); false when outside its interests. */
export async function deliverTo<I extends readonly Interest[]>(processor: Processor<I>, event: RecordedEvent, tx: pg.PoolClient): Promise<boolean> {
  const delivered = deliverable(processor.interests, event);
  if (delivered === undefined) return false;
  await processor.handle(delivered, tx);
  return true;
}
