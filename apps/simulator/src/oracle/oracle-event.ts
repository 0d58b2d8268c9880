// What the oracle reads of Lethe's log: each stored event's type and data, and the simulated instant
// it was recorded at. Read through the event store, which never passes an in-flight append.
import type pg from 'pg';
import { PostgresEventStore, type RecordedEvent } from '@lethe/eventstore';

export interface OracleEvent {
  readonly position: bigint;
  readonly streamId: string;
  readonly type: string;
  readonly data: unknown;
  /**
   * The simulated instant Lethe recorded it: the engine clock's time of the decision
   * (`metadata.occurredAt`), or of the receipt for what a request appended as received
   * (`metadata.receivedAt`); the database's own time only for an event that carries neither.
   */
  readonly recordedAt: Date;
}

const stores = new WeakMap<pg.Pool, PostgresEventStore>();

function storeOf(pool: pg.Pool): PostgresEventStore {
  let store = stores.get(pool);
  if (!store) {
    store = new PostgresEventStore(pool);
    stores.set(pool, store);
  }
  return store;
}

function instantOf(value: unknown): Date | null {
  if (typeof value !== 'string') return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t);
}

export function toOracleEvent(e: RecordedEvent): OracleEvent {
  const recordedAt = instantOf(e.metadata.occurredAt) ?? instantOf(e.metadata.receivedAt) ?? e.recordedAt;
  return { position: e.position, streamId: e.streamId, type: e.type, data: e.data, recordedAt };
}

/**
 * Up to `limit` events of the global log after position `after`, in order; never past an append
 * still in flight (a later call returns it).
 */
export async function readEventsAfter(pool: pg.Pool, after: bigint, limit: number): Promise<OracleEvent[]> {
  return (await storeOf(pool).readAll(after, limit)).map(toOracleEvent);
}
