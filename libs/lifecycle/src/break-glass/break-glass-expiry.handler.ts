// Fires when a grant's window closes, or when its request lapses unapproved: records BreakGlassExpired
// (the decider records nothing if it was revoked or approved meanwhile, or already expired).
import type { Deadline } from '@lethe/scheduler';
import type { BreakGlassRepository } from './break-glass-repository.js';
import type { BreakGlassTimerPayload } from './break-glass-timers.js';

export class BreakGlassExpiryHandler {
  constructor(private readonly grants: BreakGlassRepository) {}

  readonly handle = async (deadline: Deadline): Promise<void> => {
    const { grantId } = deadline.payload as BreakGlassTimerPayload;
    await this.grants.execute(grantId, { type: 'ExpireBreakGlass', data: {} }, deadline.id);
  };
}
