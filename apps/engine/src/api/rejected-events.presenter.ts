import type { RejectedEvents } from '@lethe/lifecycle';

export function rejectedEventsBody({ total, rejected }: RejectedEvents) {
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
