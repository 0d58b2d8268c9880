// Loads an aggregate's state from its stream, runs a decision and appends the result with an
// optimistic check; a concurrent writer makes it reload and decide again (bounded, with jittered
// backoff), and one that keeps losing answers ConcurrentModificationError. Event ids derive from
// the cause, so running the same cause twice appends nothing the second time.
// With a snapshot store, a load reads the stream's snapshot and only the events after it, so a
// command costs the same on a stream of ten events or ten years of them (SNAPSHOT_EVERY).
import type { Logger } from 'pino';
import type { Clock } from '@lethe/clock';
import { schemaVersionOf, upcastEvent, type DomainEvent } from '@lethe/domain';
import { WrongExpectedRevisionError, type EventStore, type JsonValue, type RecordedEvent } from '@lethe/eventstore';
import { setTimeout as sleep } from 'node:timers/promises';
import { causedEventId } from './event-ids.js';
import { subjectMetadata } from './audit/acting-subject.js';
import { ConcurrentModificationError, MAX_COMMAND_ATTEMPTS, conflictBackoffMs } from './concurrent-modification.js';
import type { SnapshotStore } from './snapshots/snapshot-store.js';

/**
 * A snapshot is written when an append carries the stream across a multiple of this many events
 * (and when a load had to fold at least this many): a load then folds fewer than SNAPSHOT_EVERY
 * events after its snapshot. 100 keeps a load to one snapshot row plus a page of small events,
 * while a write costs one upsert per hundred commands.
 */
export const SNAPSHOT_EVERY = 100;

/** Snapshots for a repository; their failures are logged and the events are folded instead. */
export interface SnapshotOptions {
  readonly store: SnapshotStore;
  readonly logger: Pick<Logger, 'warn'>;
}

export interface AggregateType<C, E extends DomainEvent, S, X> {
  readonly stream: (id: string) => string;
  /**
   * The version of the state's shape and of what evolve folds into it. Raise it whenever either
   * changes: snapshots of another version are ignored (and replaced by the next one written).
   */
  readonly stateVersion: number;
  readonly initialState: S;
  evolve(state: S, event: E): S;
  decide(command: C, state: S, context: X): readonly E[];
  /**
   * The decision context at `now` (the calendar, …), given the state and command being decided; may read
   * what the decision needs from elsewhere (the calendar overrides of the tenant's jurisdiction).
   */
  context(now: Date, state: S, command: C): X | Promise<X>;
}

/** An aggregate's state and the stream revision it was folded up to ('no-stream' before its first event). */
export interface Loaded<S> {
  readonly state: S;
  readonly revision: bigint | 'no-stream';
}

export interface ExecuteOptions<S, X = unknown> {
  /**
   * The state the caller already loaded (and acted on: a vault or data-plane call between deciding
   * and appending). The first attempt decides against it and appends at its revision, so a command
   * costs one read; a concurrent write makes the retry load again.
   */
  readonly loaded?: Loaded<S>;
  /**
   * The decision context the caller already computed for `loaded` (it decided before acting, e.g.
   * with an archived backup looked up): the first attempt reuses it instead of computing it again.
   */
  readonly context?: X;
}

/** The state after the command, the revision it stands at, and what was appended. */
export interface Executed<E, S> extends Loaded<S> {
  readonly appended: readonly E[];
  readonly positions: readonly bigint[];
}

/** A stored event of this aggregate's stream as its decider folds it: upcast to the current shape. */
export function asDomainEvent<E extends DomainEvent>(e: RecordedEvent): E {
  const { type, data } = upcastEvent(e);
  return { type, data } as E;
}

/**
 * Streams whose latest state a repository keeps in memory (least recently used first out). A load
 * then reads only the events after it, in one query: the stream is append-only, so the kept state
 * plus those events is the current state, whatever other instances appended meanwhile.
 * A fleet's daily work (backups reported, detections, timers) touches every tenant's streams in turn,
 * so a bound below the fleet's size misses on nearly every load: it reads and parses the snapshot
 * (tens of kB for a ring with a few hundred live backups) and folds up to SNAPSHOT_EVERY events.
 * 2048 covers a 1,000-tenant fleet's tenants and key rings; a key ring of ten years' backups is
 * about 0.2 MB in memory, so the bound costs at most a few hundred MB on the largest fleets.
 */
export const RECENT_STATES = 2048;

/** The revision kept for a stream with no events: its first event is revision 0. */
const NO_STREAM = -1n;

export class AggregateRepository<C, E extends DomainEvent, S, X> {
  /** The latest state seen of recently used streams (insertion order = least recently used first). */
  private readonly recent = new Map<string, Loaded<S> & { readonly revision: bigint }>();

  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly type: AggregateType<C, E, S, X>,
    private readonly snapshots?: SnapshotOptions,
  ) {}

  /**
   * The state folded from the latest state this repository kept of the stream (else its snapshot,
   * when current) and the events after it.
   */
  async load(id: string): Promise<Loaded<S>> {
    const stream = this.type.stream(id);
    const base = this.recent.get(stream) ?? (await this.readSnapshot(stream));
    const events = await this.store.readStream(stream, base ? { fromRevision: base.revision + 1n } : {});
    const state = events.reduce((s, e) => this.type.evolve(s, asDomainEvent<E>(e)), base ? base.state : this.type.initialState);
    const last = events.length > 0 ? events[events.length - 1].revision : (base?.revision ?? NO_STREAM);
    if (last !== NO_STREAM && events.length >= SNAPSHOT_EVERY) await this.writeSnapshot(stream, last, state);
    // A stream with no events is kept too: streams that mostly do not exist (a jurisdiction's calendar
    // overrides, read by every working-day decision) would otherwise cost a snapshot read each time.
    this.keep(stream, state, last);
    return { state, revision: last === NO_STREAM ? 'no-stream' : last };
  }

  /**
   * The state as of `revision` or later: the kept state when it is that recent, without a read; else
   * as load(). For a processor handling the event at `revision` of this stream: the log hands it every
   * later event too, so a state that includes the one in hand is as good as the head's, and the
   * command or request that appended it (in this process) usually left exactly that state here.
   */
  async loadAtLeast(id: string, revision: bigint): Promise<Loaded<S>> {
    const stream = this.type.stream(id);
    const kept = this.recent.get(stream);
    if (kept === undefined || kept.revision < revision) return this.load(id);
    this.keep(stream, kept.state, kept.revision);
    return { state: kept.state, revision: kept.revision };
  }

  private keep(stream: string, state: S, revision: bigint): void {
    this.recent.delete(stream);
    this.recent.set(stream, { state, revision });
    if (this.recent.size > RECENT_STATES) this.recent.delete(this.recent.keys().next().value!);
  }

  /**
   * What `command` would append against `loaded` at the clock's now, without appending anything; the
   * decider's DomainError when it refuses. For a use case that must hear the domain's refusals before
   * it does anything else (records a break-glass grant's use, calls the vault).
   */
  async decideOn(loaded: Loaded<S>, command: C): Promise<readonly E[]> {
    const now = this.clock.now();
    return this.type.decide(command, loaded.state, await this.type.context(now, loaded.state, command));
  }

  /**
   * Decides `command` against the current state and appends what it decided.
   * Throws the decider's DomainError, or ConcurrentModificationError after MAX_COMMAND_ATTEMPTS lost races.
   */
  async execute(id: string, command: C, causeId: string, options: ExecuteOptions<S, X> = {}): Promise<Executed<E, S>> {
    const stream = this.type.stream(id);
    let replayed = false;
    for (let attempt = 1; ; attempt++) {
      const first = attempt === 1 && options.loaded !== undefined;
      const { state, revision } = first ? options.loaded! : await this.load(id);
      const now = this.clock.now();
      const context = first && options.context !== undefined ? options.context : await this.type.context(now, state, command);
      const decided = this.type.decide(command, state, context);
      if (decided.length === 0) return { state, revision, appended: [], positions: [] };
      const events = decided.map((e, i) => ({
        id: causedEventId(stream, causeId, i),
        type: e.type,
        data: e.data as unknown as JsonValue,
        metadata: { schemaVersion: schemaVersionOf(e.type), causationId: causeId, occurredAt: now.toISOString(), ...subjectMetadata() },
      }));
      try {
        const result = await this.store.append(stream, events, revision);
        const from = revision === 'no-stream' ? -1n : revision;
        if (result.replayed) {
          // These event ids were stored before: by a concurrent request of the same cause, perhaps with
          // another body (two backups of one id). What counts is what was stored: decide again on it,
          // once (the decider then answers the replay or refuses the other body).
          if (!replayed) {
            replayed = true;
            continue;
          }
          return { ...(await this.load(id)), appended: [], positions: result.positions };
        }
        const after = decided.reduce((s, e) => this.type.evolve(s, e), state);
        this.keep(stream, after, result.nextRevision);
        if (crossesSnapshotMark(from, result.nextRevision)) await this.writeSnapshot(stream, result.nextRevision, after);
        return { state: after, revision: result.nextRevision, appended: decided, positions: result.positions };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (attempt >= MAX_COMMAND_ATTEMPTS) throw new ConcurrentModificationError(stream, attempt, 1);
        await sleep(conflictBackoffMs(attempt));
      }
    }
  }

  private async readSnapshot(stream: string): Promise<{ state: S; revision: bigint } | null> {
    if (!this.snapshots) return null;
    try {
      const snapshot = await this.snapshots.store.read(stream);
      if (!snapshot || snapshot.stateVersion !== this.type.stateVersion) return null;
      return { state: snapshot.state as S, revision: snapshot.revision };
    } catch (error) {
      this.snapshots.logger.warn({ stream, error: (error as Error).name }, 'snapshot unreadable; folding the stream from its start');
      return null;
    }
  }

  /** Best effort, after the events are stored: a failure costs the next load a longer fold, nothing else. */
  private async writeSnapshot(stream: string, revision: bigint, state: S): Promise<void> {
    if (!this.snapshots) return;
    try {
      await this.snapshots.store.write({ streamId: stream, revision, stateVersion: this.type.stateVersion, state });
    } catch (error) {
      this.snapshots.logger.warn({ stream, revision: revision.toString(), error: (error as Error).name }, 'snapshot not written');
    }
  }
}

/** Whether the stream's event count went past a multiple of SNAPSHOT_EVERY between the two revisions. */
function crossesSnapshotMark(from: bigint, to: bigint): boolean {
  const every = BigInt(SNAPSHOT_EVERY);
  return (to + 1n) / every > (from + 1n) / every;
}
