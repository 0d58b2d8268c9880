// Timers whose subject an event settles for good, so their firing could only ever be a no-op: the
// sagas cancel them when they see the event, and GET /v1/schedule stops listing them. Only events
// that cannot be undone count: a verified shred stays verified (its deadline check has nothing left
// to check), and a retired key version can never be used again (P2 is judged against the ring's
// newest version, whose own overdue check stays). Each handler still re-checks the state when it
// fires, so a timer cancelled late (already claimed) stays harmless.
import { overdueTimerId } from '../keys/key-timers.js';
import { shredDeadlineId } from '../shred/shred-deadlines.js';

/** The events that settle timers, with the fields that name the subject. */
export type SettlingEvent =
  | { readonly type: 'ShredVerified'; readonly data: { readonly shredId: string } }
  | { readonly type: 'KeyVersionRetired'; readonly data: { readonly keyVersionId: string } };

/** The ids (lethe_deadlines.id) of the timers of `tenantId` that `event` settles. */
export function timersSettledBy(tenantId: string, event: SettlingEvent): string[] {
  switch (event.type) {
    case 'ShredVerified':
      return [shredDeadlineId(tenantId, event.data.shredId)];
    case 'KeyVersionRetired':
      return [overdueTimerId(tenantId, event.data.keyVersionId)];
  }
}
