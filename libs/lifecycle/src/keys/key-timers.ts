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
 * The destruction timer of a retired version, at the end of its grace: cancelled when the version is
 * enabled again under break-glass, re-armed when it is retired anew (one row per version).
 */
export const destroyTimerId = (tenantId: string, keyVersionId: string) => `${KEY_DESTROY}:${tenantId}:${keyVersionId}`;
export const keyRingOpenTimerId = (tenantId: string) => `${KEY_RING_OPEN}:${tenantId}`;
