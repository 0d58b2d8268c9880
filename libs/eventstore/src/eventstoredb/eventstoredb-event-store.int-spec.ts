// The event store contract against a real EventStoreDB or KurrentDB server, when
// EVENTSTORE_CONNECTION_STRING names one; skipped (and shown as skipped) otherwise. To run it:
//   docker run --rm -p 2113:2113 eventstore/eventstore:24.10 --insecure --run-projections=All
//   EVENTSTORE_CONNECTION_STRING='esdb://localhost:2113?tls=false' npm run jest -- eventstoredb-event-store
import { eventStoreContract } from '../contract/event-store.contract.js';
import { EventStoreDbEventStore } from './eventstoredb-event-store.js';

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

// The contract's stream prefixes (`<prefix>-<uuid>`): the adapter reads $all filtered to them, as the
// engine filters it to the domain's categories. A server already holding events is fine: every test
// starts from the log's end or its own streams.
const CONTRACT_CATEGORIES = ['a', 'r', 'id', 'w', 'x', 'any', 'idem', 'd1', 'd2', 'bad', 'empty', 'none', 'race', 'ga', 'gb', 'head', 'live', 'boom', 'load'];

if (connectionString) {
  eventStoreContract(
    'EventStoreDB',
    async () => {
      const stores: EventStoreDbEventStore[] = [];
      const open = () => {
        const store = EventStoreDbEventStore.connect(connectionString, { categories: CONTRACT_CATEGORIES });
        stores.push(store);
        return store;
      };
      const main = open();
      return {
        store: main,
        // No client-side transactions: append, then wait.
        async appendWithDelayedCommit(streamId, events, delayMs) {
          await main.append(streamId, events, 'no-stream');
          await new Promise((r) => setTimeout(r, delayMs));
        },
        async otherStores(count) {
          return Array.from({ length: count }, open);
        },
        async dispose() {
          for (const s of stores) await s.close();
        },
      };
    },
    { eventIdsUniqueWithinStreamOnly: true },
  );
} else {
  console.warn(
    'libs/eventstore/src/eventstoredb/eventstoredb-event-store.int-spec.ts: EVENTSTORE_CONNECTION_STRING is not set, SKIPPED. ' +
      "Start a server (docker run --rm -p 2113:2113 eventstore/eventstore:24.10 --insecure --run-projections=All) and set EVENTSTORE_CONNECTION_STRING='esdb://localhost:2113?tls=false'.",
  );
  describe.skip('EventStore contract: EventStoreDB (EVENTSTORE_CONNECTION_STRING not set)', () => {
    it('runs against an EventStoreDB server', () => undefined);
  });
}
