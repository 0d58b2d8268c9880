// Names and kinds of the key lifecycle's durable timers (rows in lethe_deadlines).
export const KEY_ROTATION = 'key-rotation';
export const KEY_REPROTECT = 'key-reprotect';
export const KEY_REPROTECT_OVERDUE = 'key-reprotect-overdue';
export const KEY_RETIRE = 'key-retire';
export const KEY_RING_OPEN = 'key-ring-open';

export interface KeyTimerPayload {
  readonly tenantId: string;
  readonly keyVersionId?: string;
}

export const rotationTimerId = (tenantId: string) => `${KEY_ROTATION}:${tenantId}`;
export const reprotectTimerId = (tenantId: string, keyVersionId: string) => `${KEY_REPROTECT}:${tenantId}:${keyVersionId}`;
export const overdueTimerId = (tenantId: string, keyVersionId: string) => `${KEY_REPROTECT_OVERDUE}:${tenantId}:${keyVersionId}`;
export const retireTimerId = (tenantId: string, keyVersionId: string) => `${KEY_RETIRE}:${tenantId}:${keyVersionId}`;
export const keyRingOpenTimerId = (tenantId: string) => `${KEY_RING_OPEN}:${tenantId}`;
