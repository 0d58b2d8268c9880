// What made Lethe write an event, read from the metadata it wrote with it. Every event the
// lifecycle appends carries `causationId`, the id its event ids derive from (event-ids.ts): a
// request's natural key (`backup:<backupId>`), a durable timer's id (`key-retire:<tenant>:<version>`,
// possibly with a suffix), `saga:<eventId>` for a processor following an event, … This file names the
// families of those ids; the raw id is never shown (it may hold a request fingerprint).
import { isTimerKind, scheduleKindOf, type ScheduleKind } from '../schedule/timer-kinds.js';

export const CAUSE_KINDS = ['request', 'timer', 'event', 'engine', 'contract-system'] as const;
export type CauseKind = (typeof CAUSE_KINDS)[number];

/**
 * - `request`: an API call (`name`: the operation);
 * - `timer`: a durable timer (`name`: its kind in GET /v1/schedule);
 * - `event`: a processor following another event (`eventId`; the caller resolves its type and position);
 * - `engine`: a step the engine takes on its own (`open-key-ring`, `issue-certificate`);
 * - `contract-system`: appended straight into the contract stream by the contract system.
 */
export type ParsedCause =
  | { readonly kind: 'request' | 'engine' | 'contract-system'; readonly name: string }
  | { readonly kind: 'timer'; readonly name: ScheduleKind }
  | { readonly kind: 'event'; readonly eventId: string };

/** The API operation behind each request cause (the first `:`-separated part of its id). */
const REQUESTS: Readonly<Record<string, string>> = {
  onboard: 'onboard-tenant',
  termination: 'terminate-contract',
  'deletion-request': 'request-deletion',
  cancel: 'cancel-shred',
  rotate: 'rotate-key',
  'rotation-period': 'change-key-ring-policy',
  'backup-policy': 'change-key-ring-policy',
  'add-database': 'add-database',
  backup: 'record-backup',
  'backup-retention': 'change-backup-retention',
  'backup-deleted': 'delete-backup',
  'staging-asset': 'register-staging-asset',
  'break-glass-request': 'request-break-glass',
  'break-glass-approve': 'approve-break-glass',
  'break-glass-revoke': 'revoke-break-glass',
  'break-glass-use': 'use-break-glass',
  'execute-now': 'execute-shred-now',
};

/** Causes a timer's handler names after the work it does rather than after its own id. */
const TIMER_WORK: Readonly<Record<string, ScheduleKind>> = {
  reprotect: 'reprotection',
  detected: 'key-detection',
};

const ENGINE: Readonly<Record<string, string>> = { 'open-key-ring': 'open-key-ring' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** certificate-issuer.ts: a certificate's id, the cause of the event recording its issue. */
const CERTIFICATE_ID = /^dc-[0-9a-f-]{36}$/;

/**
 * The cause of a stored event, from its metadata; null when it records none Lethe knows. `inContractStream`:
 * the event is in a `contract-<id>` stream, where the contract system may append without Lethe's metadata.
 */
export function causeOf(metadata: Readonly<Record<string, unknown>>, inContractStream: boolean): ParsedCause | null {
  const id = metadata.causationId;
  if (typeof id !== 'string' || id === '') {
    if (!inContractStream) return null;
    // terminate-contract.handler.ts marks the notices it records itself (from HTTP or the broker intake).
    if (metadata.source === 'http') return { kind: 'request', name: 'terminate-contract' };
    return { kind: 'contract-system', name: metadata.source === 'amqp' ? 'message-broker' : 'contract-stream' };
  }
  if (UUID.test(id)) return { kind: 'event', eventId: id };
  if (CERTIFICATE_ID.test(id)) return { kind: 'engine', name: 'issue-certificate' };
  const separator = id.indexOf(':');
  const family = separator < 0 ? id : id.slice(0, separator);
  const rest = separator < 0 ? '' : id.slice(separator + 1);
  if (family === 'saga') return UUID.test(rest) ? { kind: 'event', eventId: rest } : null;
  if (isTimerKind(family)) return { kind: 'timer', name: scheduleKindOf(family) };
  if (Object.hasOwn(TIMER_WORK, family)) return { kind: 'timer', name: TIMER_WORK[family] };
  if (Object.hasOwn(REQUESTS, family)) return { kind: 'request', name: REQUESTS[family] };
  if (Object.hasOwn(ENGINE, family)) return { kind: 'engine', name: ENGINE[family] };
  return null;
}
