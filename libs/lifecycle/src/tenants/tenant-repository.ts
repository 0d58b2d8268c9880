// The tenant aggregate's repository (stream `tenant-<tenantId>`).
import type { Clock } from '@lethe/clock';
import {
  decideTenant,
  evolveTenant,
  initialTenantState,
  tenantStream,
  type TenantCommand,
  type TenantContext,
  type TenantEvent,
  type TenantState,
  type WorkingDays,
} from '@lethe/domain';
import type { EventStore } from '@lethe/eventstore';
import { AggregateRepository } from '../aggregate-repository.js';

export class TenantRepository extends AggregateRepository<TenantCommand, TenantEvent, TenantState, TenantContext> {
  constructor(store: EventStore, clock: Clock, calendar: WorkingDays) {
    super(store, clock, {
      stream: tenantStream,
      initialState: initialTenantState,
      evolve: evolveTenant,
      decide: decideTenant,
      context: (now) => ({ now, calendar }),
    });
  }
}
