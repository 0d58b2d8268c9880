// A stand-in for @eventstore/db-client's EventStoreDBClient, for the adapter's tests where no
// server runs (the Azure Key Vault adapter is tested over a fake of its SDK client the same way).
// It models the server behaviour the adapter relies on, as read from EventStoreDB's source and the
// client's: positions are byte offsets with commit = prepare; reads of $all include their start
// position, subscriptions exclude it; an append at the expected revision whose ids are already the
// next events succeeds without a position (idempotent); a wrong revision throws the client's
// WrongExpectedVersionError; reading a missing stream throws StreamNotFoundError. Errors and values
// are the client's own. Not a proof of the server: docs/adapters/eventstoredb.md lists what is not.
import { randomInt, randomUUID } from 'node:crypto';
import {
  ANY,
  BACKWARDS,
  END,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type AppendResult,
  type EventData,
  type EventStoreDBClient,
  type Filter,
  type Position,
  type ReadPosition,
} from '@eventstore/db-client';

interface Stored {
  readonly streamId: string;
  readonly id: string;
  readonly revision: bigint;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly position: bigint;
  readonly created: Date;
}

interface ReadOptions {
  direction?: string;
  fromPosition?: ReadPosition;
  fromRevision?: bigint | typeof START | typeof END;
  maxCount?: number | bigint;
  filter?: Filter;
}

export class FakeEsdbClient {
  readonly log: Stored[] = [];
  private readonly streams = new Map<string, Stored[]>();
  private nextPosition = BigInt(randomInt(100, 1000));
  private waiters: (() => void)[] = [];
  /** The server's clock (`created`); a fixed instant unless a test sets one. */
  now: () => Date = () => new Date(Date.UTC(2026, 10, 30, 12));
  /** Called before each append is applied: a test may append as another writer here. */
  beforeAppend: ((streamId: string) => Promise<void>) | undefined;
  /** Calls still open (a read not read to its end nor cancelled). */
  openReads = 0;
  disposed = false;

  asClient(): EventStoreDBClient {
    return this as unknown as EventStoreDBClient;
  }

  /** Another system's event, written as it would be (e.g. in a stream outside Lethe's categories). */
  write(streamId: string, type: string, data: unknown = {}, metadata: unknown = {}): Stored {
    const stream = this.stream(streamId);
    const revision = BigInt(stream.length);
    const event: Stored = { streamId, id: randomUUID(), revision, type, data, metadata, position: this.nextPosition, created: this.now() };
    this.nextPosition += BigInt(randomInt(80, 400));
    this.log.push(event);
    stream.push(event);
    this.streams.set(streamId, stream);
    for (const wake of this.waiters.splice(0)) wake();
    return event;
  }

  async appendToStream(streamId: string, events: EventData | EventData[], options: { expectedRevision?: AppendExpectedRevision } = {}): Promise<AppendResult> {
    await this.beforeAppend?.(streamId);
    const batch = Array.isArray(events) ? events : [events];
    const expected = options.expectedRevision ?? ANY;
    const stored = [...this.stream(streamId)];
    const current = stored.length === 0 ? NO_STREAM : stored.at(-1)!.revision;
    const from = expected === NO_STREAM ? 0 : typeof expected === 'bigint' ? Number(expected) + 1 : -1;
    if (from >= 0 && batch.every((e, i) => stored[from + i]?.id === e.id)) {
      return { success: true, nextExpectedRevision: BigInt(from + batch.length - 1), position: undefined };
    }
    const ok = expected === ANY || (expected === STREAM_EXISTS ? current !== NO_STREAM : expected === current);
    if (!ok) throw new WrongExpectedVersionError(undefined as never, { streamName: streamId, expected, current });
    let last: Stored | undefined;
    for (const e of batch) {
      if (e.contentType !== 'application/json') throw new Error('the fake stores JSON only');
      last = this.write(streamId, e.type, JSON.parse(JSON.stringify(e.data)), e.metadata === undefined ? undefined : JSON.parse(JSON.stringify(e.metadata)));
      Object.assign(last, { id: e.id });
    }
    return { success: true, nextExpectedRevision: last!.revision, position: { commit: last!.position, prepare: last!.position } };
  }

  readStream(streamId: string, options: ReadOptions = {}) {
    const stored = this.stream(streamId);
    const backwards = options.direction === BACKWARDS;
    const from = options.fromRevision ?? (backwards ? END : START);
    let events = backwards ? [...stored].reverse() : stored;
    if (typeof from === 'bigint') events = events.filter((e) => (backwards ? e.revision <= from : e.revision >= from));
    events = events.slice(0, Number(options.maxCount ?? Number.MAX_SAFE_INTEGER));
    return this.read(events.map(resolved), stored.length === 0 ? new StreamNotFoundError(undefined as never, streamId) : undefined);
  }

  readAll(options: ReadOptions = {}) {
    const backwards = options.direction === BACKWARDS;
    const from = options.fromPosition ?? (backwards ? END : START);
    const max = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    const log = this.log;
    // Lazily, as the server streams: a read cancelled early costs only what was read.
    function* events(): Generator<AllStreamResolvedEvent> {
      let count = 0;
      if (backwards) {
        for (let i = log.length - 1; i >= 0 && count < max; i--) {
          if (typeof from === 'object' && log[i].position >= from.commit) continue;
          count++;
          yield resolved(log[i]);
        }
        return;
      }
      let i = typeof from === 'object' ? log.findIndex((e) => e.position >= from.commit) : 0;
      if (i < 0) return;
      for (; i < log.length && count < max; i++, count++) yield resolved(log[i]);
    }
    return this.read(events());
  }

  subscribeToAll(options: ReadOptions = {}) {
    const from = options.fromPosition ?? START;
    const prefixes = (options.filter as { prefixes?: string[] } | undefined)?.prefixes;
    const state = { cancelled: false, wake: undefined as (() => void) | undefined };
    const after = typeof from === 'object' ? from.commit : -1n;
    const iterator = this.follow(after, prefixes, state);
    return {
      unsubscribe: async () => {
        state.cancelled = true;
        state.wake?.();
      },
      [Symbol.asyncIterator]: () => iterator,
    };
  }

  private async *follow(after: bigint, prefixes: string[] | undefined, state: { cancelled: boolean; wake: (() => void) | undefined }): AsyncGenerator<AllStreamResolvedEvent> {
    let index = this.log.findIndex((e) => e.position > after);
    if (index < 0) index = this.log.length;
    while (!state.cancelled) {
      if (index >= this.log.length) {
        await new Promise<void>((r) => this.waiters.push((state.wake = r)));
        continue;
      }
      const event = this.log[index++];
      if (!prefixes || prefixes.some((p) => event.streamId.startsWith(p))) yield resolved(event);
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  private stream(streamId: string): Stored[] {
    return this.streams.get(streamId) ?? [];
  }

  /** A read as the client streams it: iterable once, failing with `error` when iterated, cancellable. */
  private read(items: Iterable<AllStreamResolvedEvent>, error?: Error) {
    this.openReads++;
    let open = true;
    const close = () => {
      if (open) this.openReads--;
      open = false;
    };
    async function* events(): AsyncGenerator<AllStreamResolvedEvent> {
      if (error) {
        close();
        throw error;
      }
      for (const item of items) {
        if (!open) return;
        yield item;
      }
      close();
    }
    const iterator = events();
    return { cancel: async () => close(), [Symbol.asyncIterator]: () => iterator };
  }
}

function resolved(e: Stored): AllStreamResolvedEvent {
  const position: Position = { commit: e.position, prepare: e.position };
  return {
    event: { streamId: e.streamId, id: e.id, isJson: true, revision: e.revision, type: e.type, created: e.created, data: e.data, metadata: e.metadata, position },
    commitPosition: e.position,
  } as AllStreamResolvedEvent;
}
