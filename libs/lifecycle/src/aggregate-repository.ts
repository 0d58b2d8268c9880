// Loads an aggregate's state from its stream, runs a decision and appends the result with an
// optimistic check; a concurrent writer makes it reload and decide again (bounded, with jittered
// backoff), and one that keeps losing answers ConcurrentModificationError. Event ids derive from
// the cause, so running the same cause twice appends nothing the second time.
import type { Clock } from '@lethe/clock';
import { schemaVersionOf, upcastEvent, type DomainEvent } from '@lethe/domain';
import { WrongExpectedRevisionError, type EventStore, type JsonValue, type RecordedEvent } from '@lethe/eventstore';
import { setTimeout as sleep } from 'node:timers/promises';
import { causedEventId } from './event-ids.js';
import { ConcurrentModificationError, MAX_COMMAND_ATTEMPTS, conflictBackoffMs } from './concurrent-modification.js';

export interface AggregateType<C, E extends DomainEvent, S, X> {
  readonly stream: (id: string) => string;
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

export interface ExecuteOptions<S> {
  /**
   * The state the caller already loaded (and acted on: a vault or data-plane call between deciding
   * and appending). The first attempt decides against it and appends at its revision, so a command
   * costs one read; a concurrent write makes the retry load again.
   */
  readonly loaded?: Loaded<S>;
}

/** The state after the command, the revision it is at (to carry into the next command), and what was appended. */
export interface Executed<E, S> extends Loaded<S> {
  readonly appended: readonly E[];
  readonly positions: readonly bigint[];
}

/** A stored event of this aggregate's stream as its decider folds it: upcast to the current shape. */
export function asDomainEvent<E extends DomainEvent>(e: RecordedEvent): E {
  const { type, data } = upcastEvent(e);
  return { type, data } as E;
}

export class AggregateRepository<C, E extends DomainEvent, S, X> {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly type: AggregateType<C, E, S, X>,
  ) {}

  async load(id: string): Promise<Loaded<S>> {
    const events = await this.store.readStream(this.type.stream(id));
    const state = events.reduce((s, e) => this.type.evolve(s, asDomainEvent<E>(e)), this.type.initialState);
    return { state, revision: events.length === 0 ? 'no-stream' : events[events.length - 1].revision };
  }

  /**
   * Decides `command` against the current state and appends what it decided.
   * Throws the decider's DomainError, or ConcurrentModificationError after MAX_COMMAND_ATTEMPTS lost races.
   */
  async execute(id: string, command: C, causeId: string, options: ExecuteOptions<S> = {}): Promise<Executed<E, S>> {
    const stream = this.type.stream(id);
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = attempt === 1 && options.loaded ? options.loaded : await this.load(id);
      const now = this.clock.now();
      const decided = this.type.decide(command, state, await this.type.context(now, state, command));
      if (decided.length === 0) return { state, revision, appended: [], positions: [] };
      const events = decided.map((e, i) => ({
        id: causedEventId(stream, causeId, i),
        type: e.type,
        data: e.data as unknown as JsonValue,
        metadata: { schemaVersion: schemaVersionOf(e.type), causationId: causeId, occurredAt: now.toISOString() },
      }));
      try {
        const result = await this.store.append(stream, events, revision);
        return { state: decided.reduce((s, e) => this.type.evolve(s, e), state), revision: result.nextRevision, appended: decided, positions: result.positions };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (attempt >= MAX_COMMAND_ATTEMPTS) throw new ConcurrentModificationError(stream, attempt, 1);
        await sleep(conflictBackoffMs(attempt));
      }
    }
  }
}
