// The four promises Lethe makes to a tenant (docs/architecture.md, "The promises"), each number and
// rule stated once. Deciders, workflows, HTTP schemas and the compliance report all read them here;
// changing a promise is a change to this file and its spec.

import type { KeyCustody } from './tenant/tenant.events.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

// ---- P1: rotation -------------------------------------------------------------------------------

/** P1: no key version may be older than this (2 years); it also bounds a managed rotation period. */
export const MAX_KEY_VERSION_AGE_DAYS = 730;
/** P1: a managed key's rotation period, in whole days from MIN to MAX, DEFAULT when not given. */
export const MIN_ROTATION_PERIOD_DAYS = 1;
export const MAX_ROTATION_PERIOD_DAYS = MAX_KEY_VERSION_AGE_DAYS;
export const DEFAULT_ROTATION_PERIOD_DAYS = 365;
/** The rule a caller is told when a rotation period breaks it. */
export const ROTATION_PERIOD_RULE = `must be a whole number of days from ${MIN_ROTATION_PERIOD_DAYS} to ${MAX_ROTATION_PERIOD_DAYS} (a key version may never be older than 2 years)`;

export function isRotationPeriodDays(days: unknown): days is number {
  return typeof days === 'number' && Number.isInteger(days) && days >= MIN_ROTATION_PERIOD_DAYS && days <= MAX_ROTATION_PERIOD_DAYS;
}

// ---- P2: re-protection --------------------------------------------------------------------------

/** P2: every database is on a new key version within this long (ms) of the version appearing. */
export const REPROTECT_WITHIN_MS = 24 * HOUR_MS;

/** P2: when a version that appeared at `createdAt` (ISO 8601) must protect every database. */
export function reprotectDueBy(createdAt: string): string {
  return new Date(Date.parse(createdAt) + REPROTECT_WITHIN_MS).toISOString();
}

// ---- P3: retention ------------------------------------------------------------------------------

/** P3: the point-in-time retention window, in whole days from MIN to MAX, DEFAULT when not given. */
export const MIN_PITR_RETENTION_DAYS = 1;
export const MAX_PITR_RETENTION_DAYS = 35;
export const DEFAULT_PITR_RETENTION_DAYS = 35;
/** The rule a caller is told when a window breaks it. */
export const PITR_RETENTION_RULE = `must be a whole number of days from ${MIN_PITR_RETENTION_DAYS} to ${MAX_PITR_RETENTION_DAYS}`;

export function isPitrRetentionDays(days: unknown): days is number {
  return typeof days === 'number' && Number.isInteger(days) && days >= MIN_PITR_RETENTION_DAYS && days <= MAX_PITR_RETENTION_DAYS;
}

/**
 * P3: the longest a backup may be kept (its retention = expiresAt − takenAt), in whole days, unless a
 * break-glass grant covering `backup.extend-retention` allows more. Old key versions live exactly as
 * long as the backups that need them, so an unbounded retention is how a tenant's data silently
 * outlives policy (storage limitation). The default is 10 years, the longest common long-term
 * retention (e.g. Azure SQL LTR); LETHE_BACKUP_RETENTION_MAX_DAYS sets the fleet's own, MIN to MAX.
 */
export const DEFAULT_MAX_BACKUP_RETENTION_DAYS = 3653;
export const MIN_MAX_BACKUP_RETENTION_DAYS = 1;
export const MAX_MAX_BACKUP_RETENTION_DAYS = 36525;
/** The rule the fleet setting is told when it breaks it. */
export const MAX_BACKUP_RETENTION_SETTING_RULE = `must be a whole number of days from ${MIN_MAX_BACKUP_RETENTION_DAYS} to ${MAX_MAX_BACKUP_RETENTION_DAYS} (the longest a backup may be kept without a break-glass grant; default ${DEFAULT_MAX_BACKUP_RETENTION_DAYS}, 10 years)`;

export function isMaxBackupRetentionDays(days: unknown): days is number {
  return typeof days === 'number' && Number.isInteger(days) && days >= MIN_MAX_BACKUP_RETENTION_DAYS && days <= MAX_MAX_BACKUP_RETENTION_DAYS;
}

/** The rule a backup kept longer than `maxDays` breaks (it then needs a break-glass grant). */
export function backupRetentionRule(maxDays: number): string {
  return `a backup may be kept at most ${maxDays} days after it was taken (expiresAt − takenAt) unless a break-glass grant covering backup.extend-retention allows more`;
}

/** P3: whether a backup taken at `takenAt` and kept until `expiresAt` (ISO 8601) is kept longer than `maxDays`. */
export function exceedsBackupRetention(takenAt: string, expiresAt: string, maxDays: number): boolean {
  return Date.parse(expiresAt) - Date.parse(takenAt) > maxDays * DAY_MS;
}

/**
 * P3: retirement runs from a durable timer at a version's retainUntil; the compliance report allows
 * it this long (ms) before calling a version kept too long.
 */
export const RETIREMENT_SLACK_MS = HOUR_MS;

/**
 * P3: a retired key version is disabled in the vault at once (it wraps and unwraps nothing, so the
 * data it protected is unreadable) and destroyed this many whole days (24 h each) later. Until then
 * break-glass `key-version.enable` can bring it back to restore a backup found too late; after, its
 * material is gone for good. AWS KMS makes the same choice (a key scheduled for deletion waits at
 * least 7 days). LETHE_RETIRED_KEY_GRACE_DAYS sets the fleet's own, MIN to MAX (0: destroyed at
 * retirement); the value in force at a retirement is recorded in its event (KeyVersionRetired.destroyAt).
 */
export const DEFAULT_RETIRED_KEY_GRACE_DAYS = 7;
export const MIN_RETIRED_KEY_GRACE_DAYS = 0;
export const MAX_RETIRED_KEY_GRACE_DAYS = 90;
/** The rule the fleet setting is told when it breaks it. */
export const RETIRED_KEY_GRACE_SETTING_RULE = `must be a whole number of days from ${MIN_RETIRED_KEY_GRACE_DAYS} to ${MAX_RETIRED_KEY_GRACE_DAYS} (how long a retired key version stays disabled, and can be enabled again under break-glass, before it is destroyed; default ${DEFAULT_RETIRED_KEY_GRACE_DAYS})`;

/** P3: when a version retired at `retiredAt` is destroyed in the vault, after `graceDays` whole 24-hour days (ISO 8601). */
export function retiredKeyDestroyAt(retiredAt: Date, graceDays: number = DEFAULT_RETIRED_KEY_GRACE_DAYS): string {
  return new Date(retiredAt.getTime() + graceDays * DAY_MS).toISOString();
}

export function isRetiredKeyGraceDays(days: unknown): days is number {
  return typeof days === 'number' && Number.isInteger(days) && days >= MIN_RETIRED_KEY_GRACE_DAYS && days <= MAX_RETIRED_KEY_GRACE_DAYS;
}

// ---- P4: deletion -------------------------------------------------------------------------------

/** P4: a terminated tenant's key versions are destroyed within this many working days. */
export const DELETION_WORKING_DAYS = 5;

// ---- The rules as the compliance report states them ----------------------------------------------

export const PROMISE_RULES = {
  P1: `every active key has a version younger than its rotation period (client-held: ${MAX_KEY_VERSION_AGE_DAYS} days)`,
  P2: `every database is on the newest key version within ${REPROTECT_WITHIN_MS / HOUR_MS} hours of it appearing`,
  P3: 'a superseded version is kept while a database or a live backup needs it and for the point-in-time window after its last use, then retired; no live backup needs a retired version',
  P4: `a terminated tenant's key is destroyed within ${DELETION_WORKING_DAYS} working days of the termination taking effect, and its data proven unreadable`,
} as const;

/** P1: the age (days) the newest version of a key ring must stay under. */
export function keyAgeLimitDays(keyCustody: KeyCustody, rotationPeriodDays: number): number {
  // Lethe rotates managed keys on their period; a client-held key is only out of compliance at 2 years.
  return keyCustody === 'managed' ? rotationPeriodDays : MAX_KEY_VERSION_AGE_DAYS;
}

/** P1: when a version created at `createdAt` (ISO 8601) reaches an age of `days`. */
export function ageLimitReachedAt(createdAt: string, days: number): string {
  return new Date(Date.parse(createdAt) + days * DAY_MS).toISOString();
}
