// The key ring aggregate's repository (stream `keys-<tenantId>`): versions, protection history, backups.
import type { Clock } from '@lethe/clock';
import {
  decideKeyRing,
  DomainError,
  evolveKeyRing,
  initialKeyRingState,
  keyRingStream,
  type KeyRingCommand,
  type KeyRingContext,
  type KeyRingEvent,
  type KeyRingState,
} from '@lethe/domain';
import type { EventStore } from '@lethe/eventstore';
import { AggregateRepository, type Loaded } from '../aggregate-repository.js';

export class KeyRingRepository extends AggregateRepository<KeyRingCommand, KeyRingEvent, KeyRingState, KeyRingContext> {
  constructor(store: EventStore, clock: Clock) {
    super(store, clock, {
      stream: keyRingStream,
      initialState: initialKeyRingState,
      evolve: evolveKeyRing,
      decide: decideKeyRing,
      context: (now) => ({ now }),
    });
  }

  /** The tenant's key ring; DomainError 'tenant-not-found' when it has none. */
  async loadExisting(tenantId: string): Promise<Loaded<KeyRingState>> {
    const loaded = await this.load(tenantId);
    if (!loaded.state.exists) throw new DomainError('tenant-not-found', 'tenant not found');
    return loaded;
  }
}
