// Loads a tenant's state from its stream, runs a decision and appends the result with an
// optimistic check. A concurrent writer makes it reload and decide again.
import type { Clock } from '@lethe/clock';
import {
  decideTenant,
  evolveTenant,
  initialTenantState,
  tenantStream,
  type TenantCommand,
  type TenantEvent,
  type TenantState,
  type WorkingDays,
} from '@lethe/domain';
import { WrongExpectedRevisionError, type EventStore, type JsonValue, type RecordedEvent } from '@lethe/eventstore';
import { causedEventId } from '../event-ids.js';

export const SCHEMA_VERSION = 1;

export interface Loaded {
  readonly state: TenantState;
  readonly revision: bigint | 'no-stream';
  readonly events: readonly RecordedEvent[];
}

export interface Executed {
  readonly state: TenantState;
  readonly appended: readonly TenantEvent[];
  readonly positions: readonly bigint[];
}

export function asTenantEvent(e: RecordedEvent): TenantEvent {
  return { type: e.type, data: e.data } as TenantEvent;
}

export class TenantRepository {
  constructor(
    private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly calendar: WorkingDays,
  ) {}

  async load(tenantId: string): Promise<Loaded> {
    const events = await this.store.readStream(tenantStream(tenantId));
    const state = events.map(asTenantEvent).reduce(evolveTenant, initialTenantState);
    return { state, events, revision: events.length === 0 ? 'no-stream' : events[events.length - 1].revision };
  }

  /**
   * Decides `command` against the current state and appends what it decided. `causeId` names what
   * caused the command (request id, deadline id, saga input event id): the ids of the events derive
   * from it, so running the same cause twice appends nothing the second time.
   */
  async execute(tenantId: string, command: TenantCommand, causeId: string, extraMetadata: Record<string, JsonValue> = {}): Promise<Executed> {
    const stream = tenantStream(tenantId);
    for (let attempt = 1; ; attempt++) {
      const { state, revision } = await this.load(tenantId);
      const now = this.clock.now();
      const decided = decideTenant(command, state, { now, calendar: this.calendar });
      if (decided.length === 0) return { state, appended: [], positions: [] };
      const events = decided.map((e, i) => ({
        id: causedEventId(stream, causeId, i),
        type: e.type,
        data: e.data as unknown as JsonValue,
        metadata: { schemaVersion: SCHEMA_VERSION, causationId: causeId, occurredAt: now.toISOString(), ...extraMetadata },
      }));
      try {
        const result = await this.store.append(stream, events, revision);
        return { state: decided.reduce(evolveTenant, state), appended: decided, positions: result.positions };
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError && attempt < 5) continue;
        throw error;
      }
    }
  }
}
