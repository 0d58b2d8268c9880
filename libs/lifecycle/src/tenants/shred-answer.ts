// What a termination or a deletion request answers, read from the tenant's state after its decision.
import { triggerKey, type ShredTrigger, type TenantState } from '@lethe/domain';

export interface ShredAnswer {
  readonly outcome: 'scheduled' | 'already-scheduled' | 'already-shredded' | 'withdrawn';
  readonly shredId: string;
  /** ISO 8601 instants. */
  readonly deadline: string;
  readonly executeAt: string;
  readonly lateNotification: boolean;
}

/**
 * This trigger's shred (first time or a replay: the same answer), or another one already under way.
 * A trigger recorded before a cancel that was decided first (a race) was withdrawn by it.
 */
export function shredAnswer(state: TenantState, trigger: ShredTrigger): ShredAnswer {
  const s = state.shred!;
  const outcome: ShredAnswer['outcome'] =
    s.shredId === triggerKey(trigger)
      ? 'scheduled'
      : s.status === 'cancelled'
        ? 'withdrawn'
        : s.status === 'scheduled' || s.status === 'shredding'
          ? 'already-scheduled'
          : 'already-shredded';
  return {
    outcome,
    shredId: s.shredId,
    deadline: s.deadline,
    executeAt: s.executeAt,
    lateNotification: s.breaches.some((b) => b.cause === 'late-notification'),
  };
}
