// The key ring aggregate's repository (stream `keys-<tenantId>`): versions, protection history, backups.
import type { Clock } from '@lethe/clock';
import { KEYS_STATE_VERSION, decideKeys, evolveKeys, initialKeysState, keysStream, type KeysCommand, type KeysContext, type KeysEvent, type KeysState } from '@lethe/domain';
import type { EventStore } from '@lethe/eventstore';
import { AggregateRepository, type SnapshotOptions } from '../aggregate-repository.js';

export class KeyRingRepository extends AggregateRepository<KeysCommand, KeysEvent, KeysState, KeysContext> {
  constructor(store: EventStore, clock: Clock, snapshots?: SnapshotOptions) {
    super(
      store,
      clock,
      {
        stream: keysStream,
        stateVersion: KEYS_STATE_VERSION,
      initialState: initialKeysState,
      evolve: evolveKeys,
      decide: decideKeys,
        context: (now) => ({ now }),
      },
      snapshots,
    );
  }
}
