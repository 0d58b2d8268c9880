import type { RejectedEvents } from '@lethe/lifecycle';
import type { RejectedEventsAnswer } from './system.answers.js';

export function rejectedEventsBody({ total, rejected }: RejectedEvents): RejectedEventsAnswer {
  return {
    total,
    rejected: rejected.map((r) => ({
      eventId: r.eventId,
      streamId: r.streamId,
      revision: r.revision,
      eventType: r.eventType,
      errors: r.errors,
      rejectedAt: r.rejectedAt.toISOString(),
    })),
  };
}
