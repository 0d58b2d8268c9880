// PostgreSQL adapter of the EventStore port.
// One statement per append: it reads the stream's current revision, checks the expectation and
// inserts, so an append costs a single round trip. Concurrent writers to one stream meet at the
// (stream_id, stream_revision) unique constraint: exactly one wins each revision.
import DataLoader from 'dataloader';
import pg from 'pg';
import type {
  AppendResult,
  EventHandler,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  JsonValue,
  ReadEventOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  Subscription,
} from '../event-store.js';
import { noteAppended } from '../appended-positions.js';
import { DuplicateEventIdError, InvalidAppendError, WrongExpectedRevisionError } from '../errors.js';
import { UUID, satisfies, validateAppend as validate } from '../append-rules.js';
import { PgNotifier } from './pg-notifier.js';
import { PollingSubscription } from './polling-subscription.js';
import { ReadHorizon } from './read-horizon.js';

const UNIQUE_VIOLATION = '23505';

type Mode = 'exact' | 'no-stream' | 'exists' | 'any';

const CONDITION: Record<Mode, string> = {
  exact: 'cur.rev = $6::bigint',
  'no-stream': 'cur.rev = -1',
  exists: 'cur.rev >= 0',
  any: 'true',
};

// Each event records the id of the transaction that wrote it (`transaction_id`, taken once per
// statement in the CTE). Readers do not use it: the read horizon waits on the table's lock holders
// instead (read-horizon.ts).
function appendSql(mode: Mode): string {
  return `
    with tx as materialized (select pg_current_xact_id() as xid),
    cur as (select coalesce(max(stream_revision), -1) as rev from lethe_events where stream_id = $1)
    insert into lethe_events (transaction_id, stream_id, stream_revision, event_id, event_type, data, metadata)
    select tx.xid, $1, cur.rev + e.ord, e.id, e.type, e.data, e.metadata
      from tx, cur, unnest($2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[]) with ordinality as e(id, type, data, metadata, ord)
     where ${CONDITION[mode]}
    returning global_position, stream_revision`;
}

// The common case, one event at a known revision, without arrays: revisions are dense from 0, so
// the unique (stream_id, stream_revision) constraint is the check once the previous revision is
// known to exist. Measured ~10% cheaper than the general statement on 2 cores.
const SINGLE_NO_STREAM = `
    with tx as materialized (select pg_current_xact_id() as xid)
    insert into lethe_events (transaction_id, stream_id, stream_revision, event_id, event_type, data, metadata)
    select tx.xid, $1, 0, $2::uuid, $3, $4::jsonb, $5::jsonb from tx
    returning global_position, stream_revision`;
const SINGLE_EXACT = `
    with tx as materialized (select pg_current_xact_id() as xid)
    insert into lethe_events (transaction_id, stream_id, stream_revision, event_id, event_type, data, metadata)
    select tx.xid, $1, $6::bigint + 1, $2::uuid, $3, $4::jsonb, $5::jsonb from tx
     where exists (select 1 from lethe_events where stream_id = $1 and stream_revision = $6::bigint)
    returning global_position, stream_revision`;

const SELECT_COLUMNS = `global_position, stream_id, stream_revision, event_id, event_type, data, metadata, recorded_at`;

interface EventRow {
  global_position: string;
  stream_id: string;
  stream_revision: string;
  event_id: string;
  event_type: string;
  data: JsonValue;
  metadata: Record<string, JsonValue>;
  recorded_at: Date;
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    revision: BigInt(row.stream_revision),
    position: BigInt(row.global_position),
    type: row.event_type,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  };
}

/** Default of PostgresEventStoreOptions.gatherMs: small beside any read model's promised lag. */
export const GATHER_MS = 5;

export interface PostgresEventStoreOptions {
  /** How often a live subscription looks for events when no notification arrives. */
  readonly pollIntervalMs?: number;
  /** Page size of catch-up reads. */
  readonly batchSize?: number;
  /**
   * Real time (ms) a live subscription waits after a notification before it reads (default
   * GATHER_MS): the appends of a busy moment are then read, and handled by a batching processor, a
   * page at a time; each read and checkpoint move per event would cost a few statements each.
   */
  readonly gatherMs?: number;
  /**
   * Where the LISTEN connection goes: a direct connection to PostgreSQL, never a transaction-mode
   * pooler (LISTEN is session state). Default: the pool's own settings.
   */
  readonly directConnection?: pg.ClientConfig;
}

/** Anything that runs a query: the pool, or one client inside a transaction. */
export interface Queryable {
  query: pg.Pool['query'];
}

export class PostgresEventStore implements EventStore {
  private notifier: PgNotifier | undefined;
  private readonly subscriptions = new Set<Subscription>();
  /** Subscription pages being read, by `after:limit`, with the notifier's counter when each read began. */
  private readonly pagesInFlight = new Map<string, { readonly seen: number; readonly page: Promise<{ events: RecordedEvent[]; blocked: boolean }> }>();
  private notifyTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly db: Queryable;
  private readonly horizon = new ReadHorizon();
  /**
   * Whole-stream and catch-up reads (a repository loading an aggregate: mostly nothing new) asked for in
   * one turn of the event loop, read in one statement: a command loads its key ring and its tenant side
   * by side, and a fleet's requests run side by side. Never cached.
   */
  private readonly streamReads = new DataLoader<{ readonly streamId: string; readonly from: bigint }, RecordedEvent[]>((reads) => this.readStreams(reads), {
    cache: false,
  });

  /**
   * Reads by event id on the pool asked for in one turn of the event loop, in one statement: an aged
   * key ring asks, for every backup a fleet reports, whether its id was recorded before and archived.
   * Never cached.
   */
  private readonly eventReads = new DataLoader<{ readonly eventId: string; readonly streams: readonly string[] | null }, RecordedEvent | null>(
    (reads) => this.readEvents(reads),
    { cache: false },
  );

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: PostgresEventStoreOptions = {},
    db?: Queryable,
  ) {
    this.db = db ?? pool;
  }

  /**
   * The same store, appending and reading through one client, so a processor's or saga's appends
   * commit with its own writes. Inside a transaction a conflict aborts it: 'any' is not retried.
   */
  inTransaction(client: pg.PoolClient): PostgresEventStore {
    return new PostgresEventStore(this.pool, this.options, client);
  }

  async append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    return noteAppended(await this.appendEvents(streamId, events, expected));
  }

  private async appendEvents(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    validate(streamId, events, expected);
    if (events.length === 0) return this.emptyAppend(streamId, expected);
    const mode: Mode = typeof expected === 'bigint' ? 'exact' : expected;
    const single = events.length === 1 && (mode === 'exact' || mode === 'no-stream');
    const values: unknown[] = single
      ? [streamId, events[0].id, events[0].type, JSON.stringify(events[0].data), JSON.stringify(events[0].metadata ?? {})]
      : [
          streamId,
          events.map((e) => e.id),
          events.map((e) => e.type),
          events.map((e) => JSON.stringify(e.data)),
          events.map((e) => JSON.stringify(e.metadata ?? {})),
        ];
    if (mode === 'exact') values.push((expected as bigint).toString());
    // Unnamed statements only: a named prepared statement lives in one server session, which a
    // transaction-mode pooler does not keep for us (ARCHITECTURE.md §4, several instances).
    const text = single ? (mode === 'exact' ? SINGLE_EXACT : SINGLE_NO_STREAM) : appendSql(mode);
    for (;;) {
      try {
        const res = await this.db.query<{ global_position: string; stream_revision: string }>(text, values);
        if (res.rowCount === events.length) {
          const rows = res.rows.sort((a, b) => Number(BigInt(a.stream_revision) - BigInt(b.stream_revision)));
          this.announce();
          return {
            nextRevision: BigInt(rows[rows.length - 1].stream_revision),
            replayed: false,
            positions: rows.map((r) => BigInt(r.global_position)),
          };
        }
        return await this.explainRejection(streamId, events, expected);
      } catch (error) {
        if (!(error instanceof pg.DatabaseError) || error.code !== UNIQUE_VIOLATION) throw error;
        if (error.constraint === 'lethe_events_event_id') return await this.explainRejection(streamId, events, expected);
        // Another writer took the revision first.
        const replay = await this.findReplay(streamId, events);
        if (replay) return replay;
        if (mode === 'any' && this.db === this.pool) continue;
        throw new WrongExpectedRevisionError(streamId, expected, await this.currentRevision(streamId));
      }
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const from = options.fromRevision ?? 0n;
    // Reads without a limit on the pool are gathered (see streamReads); a transaction's are its own.
    if (options.limit === undefined && this.db === this.pool) {
      return this.streamReads.load({ streamId, from });
    }
    const limit = options.limit ?? 2_147_483_647;
    const res = await this.db.query<EventRow>(
      `select ${SELECT_COLUMNS} from lethe_events
        where stream_id = $1 and stream_revision >= $2 order by stream_revision limit $3`,
      [streamId, from.toString(), limit],
    );
    return res.rows.map(toRecorded);
  }

  /** Each stream's events from its revision on, in revision order, in one statement. */
  private async readStreams(reads: readonly { readonly streamId: string; readonly from: bigint }[]): Promise<RecordedEvent[][]> {
    // A stream asked for twice is read once, from the lower revision.
    const lowest = new Map<string, bigint>();
    for (const r of reads) if (!lowest.has(r.streamId) || r.from < lowest.get(r.streamId)!) lowest.set(r.streamId, r.from);
    const res = await this.db.query<EventRow>(
      `select ${SELECT_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')} from unnest($1::text[], $2::bigint[]) as q(stream_id, from_revision)
         join lethe_events e on e.stream_id = q.stream_id and e.stream_revision >= q.from_revision
        order by e.stream_id, e.stream_revision`,
      [[...lowest.keys()], [...lowest.values()].map((from) => from.toString())],
    );
    const byStream = new Map<string, EventRow[]>();
    for (const row of res.rows) {
      const rows = byStream.get(row.stream_id) ?? [];
      byStream.set(row.stream_id, rows);
      rows.push(row);
    }
    return reads.map((r) => (byStream.get(r.streamId) ?? []).filter((row) => BigInt(row.stream_revision) >= r.from).map(toRecorded));
  }

  async head(): Promise<bigint> {
    const res = await this.db.query<{ head: string }>('select coalesce(max(global_position), 0) as head from lethe_events');
    return BigInt(res.rows[0].head);
  }

  async readEvent(eventId: string, options: ReadEventOptions = {}): Promise<RecordedEvent | null> {
    if (!UUID.test(eventId)) return null;
    if (this.db === this.pool) return this.eventReads.load({ eventId, streams: options.streams ?? null });
    const res = await this.db.query<EventRow>(
      `select ${SELECT_COLUMNS} from lethe_events where event_id = $1 and ($2::text[] is null or stream_id = any($2::text[]))`,
      [eventId, options.streams ?? null],
    );
    return res.rows[0] ? toRecorded(res.rows[0]) : null;
  }

  /** Each read's event, if it is in one of the read's streams (any stream for null), in one statement. */
  private async readEvents(reads: readonly { readonly eventId: string; readonly streams: readonly string[] | null }[]): Promise<(RecordedEvent | null)[]> {
    const ids = [...new Set(reads.map((r) => r.eventId.toLowerCase()))];
    const res = await this.db.query<EventRow>(`select ${SELECT_COLUMNS} from lethe_events where event_id = any($1::uuid[])`, [ids]);
    const byId = new Map(res.rows.map((row) => [row.event_id.toLowerCase(), row]));
    return reads.map((r) => {
      const row = byId.get(r.eventId.toLowerCase());
      return row && (r.streams === null || r.streams.includes(row.stream_id)) ? toRecorded(row) : null;
    });
  }

  async readAll(after: bigint, limit: number): Promise<RecordedEvent[]> {
    return (await this.readPage(after, limit)).events;
  }

  /** A page of the global log, and whether it stopped early at a hole that may still fill. */
  async readPage(after: bigint, limit: number): Promise<{ events: RecordedEvent[]; blocked: boolean }> {
    if (after < 0n) throw new InvalidAppendError('after', 'must be >= 0');
    if (!Number.isInteger(limit) || limit < 1) throw new InvalidAppendError('limit', 'must be a positive integer');
    for (let attempt = 0; ; attempt++) {
      // The watermark must be settled before the rows are read: a hole it declares final was
      // final before this read, so an append that filled it is in these rows.
      const watermark = this.horizon.finalUpTo;
      const res = await this.db.query<EventRow>(
        `select ${SELECT_COLUMNS} from lethe_events where global_position > $1 order by global_position limit $2`,
        [after.toString(), limit],
      );
      const rows = res.rows;
      const count = this.horizon.deliverable(after, rows.map((r) => BigInt(r.global_position)), watermark);
      if (count < rows.length && attempt === 0) {
        // Stopped by a hole: learn whether it is final (see read-horizon.ts), and if the
        // watermark moved, read again.
        await this.observeHorizon();
        if (this.horizon.finalUpTo > watermark) continue;
      }
      const out = new Array<RecordedEvent>(count);
      for (let i = 0; i < count; i++) out[i] = toRecorded(rows[i]);
      return { events: out, blocked: count < rows.length };
    }
  }

  /**
   * A subscription's page, read once for every subscription that asks for the same one meanwhile:
   * the processors of an instance are woken together by one append and read from the same position,
   * so a wake-up costs one read of the log, not one per processor. A read is joined only if it began
   * after every wake-up the asker had seen when it asked (`seen`, the notifier's counter): it then
   * holds whatever the asker's own read would hold, and nothing announced since goes unread (the
   * asker's next wait returns at once for it).
   */
  private sharedPage(after: bigint, limit: number, seen: number): Promise<{ events: RecordedEvent[]; blocked: boolean }> {
    const key = `${after}:${limit}`;
    const running = this.pagesInFlight.get(key);
    if (running !== undefined && running.seen >= seen) return running.page;
    const page = this.readPage(after, limit).finally(() => {
      if (this.pagesInFlight.get(key)?.page === page) this.pagesInFlight.delete(key);
    });
    this.pagesInFlight.set(key, { seen: this.notifier?.seen ?? seen, page });
    return page;
  }

  /**
   * One round trip (a function call, see migrations.ts): the sequence's last value, then the
   * other transactions holding the lock an append takes before it draws a position. The list
   * settles earlier observations and is the set this one waits for.
   */
  private async observeHorizon(): Promise<void> {
    const res = await this.pool.query<{ last_value: string; in_flight: string[] }>(
      'select last_value::text as last_value, in_flight from lethe_events_horizon()',
    );
    const running: ReadonlySet<string> = new Set(res.rows[0].in_flight);
    this.horizon.observe(running, { lastValue: BigInt(res.rows[0].last_value), inFlight: running });
  }

  subscribe(after: bigint, handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    this.notifier ??= new PgNotifier(this.options.directConnection ?? this.pool.options, 'lethe_events');
    const subscription = new PollingSubscription(
      (from, limit, seen) => this.sharedPage(from, limit, seen),
      this.notifier,
      after,
      handler,
      { batchSize: this.options.batchSize ?? 1000, pollIntervalMs: this.options.pollIntervalMs ?? 500, gatherMs: this.options.gatherMs ?? GATHER_MS, ...options },
    );
    this.subscriptions.add(subscription);
    void subscription.done.finally(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  /**
   * Tells readers that events were appended: this process's subscriptions at once, other
   * processes by one NOTIFY per few milliseconds at most, outside the append's transaction.
   * Appends inside a caller's transaction are found by polling (or the next notification).
   */
  private announce(): void {
    if (this.db !== this.pool || this.closed) return;
    this.notifier ??= new PgNotifier(this.options.directConnection ?? this.pool.options, 'lethe_events');
    this.notifier.wakeLocal();
    if (this.notifyTimer) return;
    this.notifyTimer = setTimeout(() => {
      this.notifyTimer = undefined;
      if (!this.closed) this.notifier?.publish();
    }, 5);
    this.notifyTimer.unref();
  }

  /** Stops every subscription and the notification listener; the pool is the caller's to end. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.notifyTimer) clearTimeout(this.notifyTimer);
    this.notifyTimer = undefined;
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
    await this.notifier?.close();
    this.notifier = undefined;
  }

  private async emptyAppend(streamId: string, expected: ExpectedRevision): Promise<AppendResult> {
    const actual = await this.currentRevision(streamId);
    if (!satisfies(expected, actual)) throw new WrongExpectedRevisionError(streamId, expected, actual);
    return { nextRevision: actual === 'no-stream' ? -1n : actual, positions: [], replayed: false };
  }

  private async currentRevision(streamId: string): Promise<bigint | 'no-stream'> {
    const res = await this.pool.query<{ rev: string | null }>(
      'select max(stream_revision) as rev from lethe_events where stream_id = $1',
      [streamId],
    );
    return res.rows[0].rev === null ? 'no-stream' : BigInt(res.rows[0].rev);
  }

  /** The append was rejected: either it is a replay of one already stored, or a real conflict. */
  private async explainRejection(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    const replay = await this.findReplay(streamId, events);
    if (replay) return replay;
    throw new WrongExpectedRevisionError(streamId, expected, await this.currentRevision(streamId));
  }

  /**
   * A retried command re-appends the events it appended before (same ids, same order). That is a
   * no-op that answers like the first append. Ids used by other events are an error.
   */
  private async findReplay(streamId: string, events: readonly EventToAppend[]): Promise<AppendResult | undefined> {
    // On the pool, not the transaction: after a failed statement the transaction is aborted.
    const res = await this.pool.query<{ event_id: string; stream_id: string; stream_revision: string; global_position: string }>(
      `select event_id, stream_id, stream_revision, global_position from lethe_events where event_id = any($1::uuid[])`,
      [events.map((e) => e.id)],
    );
    if (res.rowCount === 0) return undefined;
    const byId = new Map(res.rows.map((r) => [r.event_id.toLowerCase(), r]));
    const stored = events.map((e) => byId.get(e.id.toLowerCase()));
    const first = stored[0];
    const consecutive =
      first !== undefined &&
      stored.every(
        (r, i) => r !== undefined && r.stream_id === streamId && BigInt(r.stream_revision) === BigInt(first.stream_revision) + BigInt(i),
      );
    if (!consecutive) {
      const clash = events.find((e) => byId.has(e.id.toLowerCase())) ?? events[0];
      throw new DuplicateEventIdError(streamId, clash.id);
    }
    return {
      nextRevision: BigInt(stored[stored.length - 1]!.stream_revision),
      replayed: true,
      positions: stored.map((r) => BigInt(r!.global_position)),
    };
  }
}
