// How the EventStoreDB adapter recognises a retried append in what its stream holds.
import { randomUUID } from 'node:crypto';
import type { EventToAppend, RecordedEvent } from '../event-store.js';
import { DuplicateEventIdError } from '../errors.js';
import { findReplay } from './eventstoredb-event-store.js';

const toAppend = (): EventToAppend => ({ id: randomUUID(), type: 'T', data: {} });
const stored = (events: readonly EventToAppend[]): RecordedEvent[] =>
  events.map((e, i) => ({ id: e.id, streamId: 's', revision: BigInt(i), position: BigInt(1000 + 100 * i), type: e.type, data: e.data, metadata: {}, recordedAt: new Date() }));

describe('findReplay', () => {
  it('answers a retry of stored events (same ids, same order, any case) like the first append', () => {
    const events = [toAppend(), toAppend(), toAppend(), toAppend()];
    const inStream = stored(events);
    const retry = [events[1], events[2]].map((e) => ({ ...e, id: e.id.toUpperCase() }));
    expect(findReplay('s', retry, inStream)).toEqual({ nextRevision: 2n, positions: [1100n, 1200n], replayed: true });
  });

  it('finds nothing when no id is stored', () => {
    expect(findReplay('s', [toAppend()], stored([toAppend()]))).toBeUndefined();
  });

  it('refuses ids stored elsewhere in the stream: only some of them, or out of order', () => {
    const events = [toAppend(), toAppend(), toAppend()];
    const inStream = stored(events);
    expect(() => findReplay('s', [events[0], toAppend()], inStream)).toThrow(DuplicateEventIdError);
    expect(() => findReplay('s', [events[1], events[0]], inStream)).toThrow(DuplicateEventIdError);
    expect(() => findReplay('s', [events[0], events[2]], inStream)).toThrow(DuplicateEventIdError);
  });
});
