// What each durable timer of the lifecycle means to ops: its stable public name (GET /v1/schedule,
// the `timer` causes of the audit trail) and what it is about, read from its payload. The internal
// kinds (rows of lethe_deadlines) may be renamed; the public names may not. The deadline handlers
// are typed over TimerKind (lifecycle.module.ts), so a timer added without an entry here does not compile.
import { KEY_DETECTION } from '../keys/key-detection.js';
import { KEY_DESTROY, KEY_REPROTECT, KEY_REPROTECT_OVERDUE, KEY_RETIRE, KEY_RING_OPEN, KEY_ROTATION } from '../keys/key-timers.js';
import { KEY_PURGE_CHECK, SHRED_DEADLINE, SHRED_STEP } from '../shred/shred-deadlines.js';
import { BREAK_GLASS_EXPIRY } from '../break-glass/break-glass-timers.js';
import { COMPLIANCE_CHECK } from '../compliance/watch/compliance-timers.js';

/** Every kind of timer the lifecycle schedules and handles. */
export type TimerKind =
  | typeof SHRED_STEP
  | typeof SHRED_DEADLINE
  | typeof KEY_PURGE_CHECK
  | typeof KEY_ROTATION
  | typeof KEY_REPROTECT
  | typeof KEY_REPROTECT_OVERDUE
  | typeof KEY_RETIRE
  | typeof KEY_DESTROY
  | typeof KEY_DETECTION
  | typeof KEY_RING_OPEN
  | typeof BREAK_GLASS_EXPIRY
  | typeof COMPLIANCE_CHECK;

/** The public names of the timers, in the order ops read them (OpenAPI enum of `kind`). */
export const SCHEDULE_KINDS = [
  'shred-execution',
  'shred-deadline',
  'key-material-purge-check',
  'rotation',
  'reprotection',
  'reprotection-overdue-check',
  'retirement',
  'retired-key-destruction',
  'key-detection',
  'key-ring-opening',
  'break-glass-expiry',
  'compliance-check',
] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

/** What a timer is about: a shred, a key version, or a whole key ring (named by its tenant). */
export interface ScheduleSubject {
  readonly type: 'shred' | 'key-version' | 'key-ring' | 'break-glass-grant';
  readonly id: string;
}

interface TimerMeaning {
  readonly kind: ScheduleKind;
  readonly subject: (payload: TimerPayload) => ScheduleSubject | null;
}

interface TimerPayload {
  readonly tenantId: string | null;
  readonly shredId: string | null;
  readonly keyVersionId: string | null;
  readonly grantId?: string | null;
}

const shred = (p: TimerPayload): ScheduleSubject | null => (p.shredId ? { type: 'shred', id: p.shredId } : null);
const keyVersion = (p: TimerPayload): ScheduleSubject | null => (p.keyVersionId ? { type: 'key-version', id: p.keyVersionId } : null);
const keyRing = (p: TimerPayload): ScheduleSubject | null => (p.tenantId ? { type: 'key-ring', id: p.tenantId } : null);

const TIMERS: { readonly [K in TimerKind]: TimerMeaning } = {
  [SHRED_STEP]: { kind: 'shred-execution', subject: shred },
  [SHRED_DEADLINE]: { kind: 'shred-deadline', subject: shred },
  [KEY_PURGE_CHECK]: { kind: 'key-material-purge-check', subject: shred },
  [KEY_ROTATION]: { kind: 'rotation', subject: keyRing },
  [KEY_REPROTECT]: { kind: 'reprotection', subject: keyVersion },
  [KEY_REPROTECT_OVERDUE]: { kind: 'reprotection-overdue-check', subject: keyVersion },
  [KEY_RETIRE]: { kind: 'retirement', subject: keyVersion },
  [KEY_DESTROY]: { kind: 'retired-key-destruction', subject: keyVersion },
  [KEY_DETECTION]: { kind: 'key-detection', subject: keyRing },
  [KEY_RING_OPEN]: { kind: 'key-ring-opening', subject: keyRing },
  [BREAK_GLASS_EXPIRY]: { kind: 'break-glass-expiry', subject: (p) => (p.grantId ? { type: 'break-glass-grant', id: p.grantId } : null) },
  [COMPLIANCE_CHECK]: { kind: 'compliance-check', subject: keyRing },
};

const TIMER_KINDS = Object.keys(TIMERS) as TimerKind[];

export function isTimerKind(kind: string): kind is TimerKind {
  return Object.hasOwn(TIMERS, kind);
}

/** The public name of a timer kind. */
export function scheduleKindOf(kind: TimerKind): ScheduleKind {
  return TIMERS[kind].kind;
}

/**
 * The outward name of a stored timer kind (a `lethe_deadlines.kind`): its public name for every kind
 * the lifecycle handles; any other kind (a row no handler here knows) keeps its stored name, so it still
 * shows rather than vanishing. Every outward surface (GET /v1/schedule, POST /v1/admin/clock `fired`,
 * the `kind` label of the lethe_deadlines_* metrics) names timers through this one mapping.
 */
export function publicTimerKind(kind: string): string {
  return isTimerKind(kind) ? scheduleKindOf(kind) : kind;
}

/** The timer kinds behind public names (each public name has exactly one). */
export function timerKindsOf(kinds: readonly ScheduleKind[]): TimerKind[] {
  return TIMER_KINDS.filter((k) => kinds.includes(TIMERS[k].kind));
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/** The tenant and subject a timer's payload names (null where it names none: a fleet-wide timer). */
export function timerSubject(kind: TimerKind, payload: unknown): { readonly tenantId: string | null; readonly subject: ScheduleSubject | null } {
  const p = (payload ?? {}) as Record<string, unknown>;
  const fields: TimerPayload = { tenantId: text(p.tenantId), shredId: text(p.shredId), keyVersionId: text(p.keyVersionId), grantId: text(p.grantId) };
  return { tenantId: fields.tenantId, subject: TIMERS[kind].subject(fields) };
}
