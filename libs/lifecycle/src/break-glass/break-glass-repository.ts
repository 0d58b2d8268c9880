// A break-glass grant's aggregate (stream `break-glass-<grantId>`).
import type { Clock } from '@lethe/clock';
import {
  BREAK_GLASS_STATE_VERSION,
  breakGlassCategory,
  decideBreakGlass,
  evolveBreakGlass,
  initialBreakGlassState,
  type BreakGlassCommand,
  type BreakGlassContext,
  type BreakGlassEvent,
  type BreakGlassState,
} from '@lethe/domain';
import type { EventStore } from '@lethe/eventstore';
import { AggregateRepository, type SnapshotOptions } from '../aggregate-repository.js';

/** LETHE_BREAK_GLASS_APPROVALS' default: two approvers besides the requester. */
export const DEFAULT_BREAK_GLASS_APPROVALS = 2;

export class BreakGlassRepository extends AggregateRepository<BreakGlassCommand, BreakGlassEvent, BreakGlassState, BreakGlassContext> {
  constructor(store: EventStore, clock: Clock, requiredApprovals: number, snapshots?: SnapshotOptions) {
    super(
      store,
      clock,
      {
        stream: breakGlassCategory.stream,
        stateVersion: BREAK_GLASS_STATE_VERSION,
        initialState: initialBreakGlassState,
        evolve: evolveBreakGlass,
        decide: decideBreakGlass,
        context: (now) => ({ now, requiredApprovals }),
      },
      snapshots,
    );
  }
}
