// Names and kinds of the key lifecycle's durable timers (rows in lethe_deadlines).
export const KEY_ROTATION = 'key-rotation';
export const KEY_REPROTECT = 'key-reprotect';
export const KEY_REPROTECT_OVERDUE = 'key-reprotect-overdue';
export const KEY_RETIRE = 'key-retire';
export const KEY_DESTROY = 'key-destroy';
export const KEY_RING_OPEN = 'key-ring-open';

export interface KeyTimerPayload {
  readonly tenantId: string;
  readonly keyVersionId?: string;
}

export const rotationTimerId = (tenantId: string) => `${KEY_ROTATION}:${tenantId}`;
export const reprotectTimerId = (tenantId: string, keyVersionId: string) => `${KEY_REPROTECT}:${tenantId}:${keyVersionId}`;
export const overdueTimerId = (tenantId: string, keyVersionId: string) => `${KEY_REPROTECT_OVERDUE}:${tenantId}:${keyVersionId}`;
export const retireTimerId = (tenantId: string, keyVersionId: string) => `${KEY_RETIRE}:${tenantId}:${keyVersionId}`;
/**
 * The retirement timer of a version enabled again under break-glass until `enabledUntil`: its first
 * retirement timer has fired (a done row is never re-armed), so each enabling gets its own.
 */
export const reRetireTimerId = (tenantId: string, keyVersionId: string, enabledUntil: string) =>
  `${KEY_RETIRE}:${tenantId}:${keyVersionId}:enabled-until:${enabledUntil}`;
/**
 * The destruction timer of a version retired at `retiredAt`: a version enabled again and retired
 * anew gets its own (a done row is never re-armed).
 */
export const destroyTimerId = (tenantId: string, keyVersionId: string, retiredAt: string) => `${KEY_DESTROY}:${tenantId}:${keyVersionId}:retired-at:${retiredAt}`;
export const keyRingOpenTimerId = (tenantId: string) => `${KEY_RING_OPEN}:${tenantId}`;
