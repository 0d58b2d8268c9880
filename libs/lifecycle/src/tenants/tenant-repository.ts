// The tenant aggregate's repository (stream `tenant-<tenantId>`).
import type { Clock } from '@lethe/clock';
import {
  TENANT_STATE_VERSION,
  decideTenant,
  evolveTenant,
  initialTenantState,
  tenantStream,
  type TenantCommand,
  type TenantContext,
  type TenantEvent,
  type TenantState,
  type WorkingDays,
  type CalendarOverrideInput,
  type VaultDeletionWindow,
} from '@lethe/domain';
import type { EventStore } from '@lethe/eventstore';
import { AggregateRepository, type SnapshotOptions } from '../aggregate-repository.js';

/** The operator overrides in force for a jurisdiction, read at decision time. */
export type CalendarOverridesSource = (jurisdiction: string) => Promise<readonly CalendarOverrideInput[]>;

export class TenantRepository extends AggregateRepository<TenantCommand, TenantEvent, TenantState, TenantContext> {
  constructor(
    store: EventStore,
    clock: Clock,
    calendar: WorkingDays,
    overrides: CalendarOverridesSource = async () => [],
    snapshots?: SnapshotOptions,
    /** The key vault's deletion windows, checked at onboarding against P4 (default: not checked). */
    vaultDeletion?: VaultDeletionWindow,
  ) {
    super(
      store,
      clock,
      {
        stream: tenantStream,
        stateVersion: TENANT_STATE_VERSION,
      initialState: initialTenantState,
      evolve: evolveTenant,
      decide: decideTenant,
      // Only a shred schedule computes a deadline: read the jurisdiction's overrides for it alone, at
      // decision time (each retry after a concurrent write reads them again).
      context: async (now, state, command) => ({
        now,
        calendar,
          calendarOverrides: command.type === 'ScheduleShred' && state.jurisdiction ? await overrides(state.jurisdiction) : [],
          ...(command.type === 'OnboardTenant' && vaultDeletion ? { vaultDeletion } : {}),
        }),
      },
      snapshots,
    );
  }
}
