// Names and kinds of the shred saga's durable timers (rows in lethe_deadlines).
export const SHRED_STEP = 'shred-step';
export const SHRED_DEADLINE = 'shred-deadline';
/** After a shred whose vault purges later: confirms the destroyed key's material is purged. */
export const KEY_PURGE_CHECK = 'key-purge-check';

export interface ShredTimerPayload {
  readonly tenantId: string;
  readonly shredId: string;
}

export const shredStepId = (tenantId: string, shredId: string) => `${SHRED_STEP}:${tenantId}:${shredId}`;
export const shredDeadlineId = (tenantId: string, shredId: string) => `${SHRED_DEADLINE}:${tenantId}:${shredId}`;
export const keyPurgeCheckId = (tenantId: string, shredId: string) => `${KEY_PURGE_CHECK}:${tenantId}:${shredId}`;
