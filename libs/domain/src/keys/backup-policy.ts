// The tenant's backup policy, as far as key retention depends on it (P3). Restore points are made
// continuously, so a superseded key version must outlive its last use by the point-in-time
// retention window whether or not a backup naming it has been registered yet. The numbers live
// here only; the HTTP schema and the decider both read them.

/** Point-in-time retention window in whole days: from MIN to MAX, DEFAULT when not given. */
export const MIN_PITR_RETENTION_DAYS = 1;
export const MAX_PITR_RETENTION_DAYS = 35;
export const DEFAULT_PITR_RETENTION_DAYS = 35;

/** The rule a caller is told when a window breaks it. */
export const PITR_RETENTION_RULE = `must be a whole number of days from ${MIN_PITR_RETENTION_DAYS} to ${MAX_PITR_RETENTION_DAYS}`;

export function isPitrRetentionDays(days: unknown): days is number {
  return typeof days === 'number' && Number.isInteger(days) && days >= MIN_PITR_RETENTION_DAYS && days <= MAX_PITR_RETENTION_DAYS;
}

/**
 * How a backup is encrypted: with the tenant key ('customer-key': it needs the versions that
 * protected its database, and the shred makes it unreadable) or with a platform key
 * ('platform-key': it needs no tenant key version, and the shred must purge it, P4). Every backup of
 * a tenant whose backupKeyMode is 'platform' is a platform-key backup.
 */
export type BackupProtection = 'customer-key' | 'platform-key';

/**
 * A backup registered after a version it needs was retired: recorded, never restorable from that
 * version, reported under P3 until it expires or is deleted.
 */
export interface Unrestorable {
  readonly reason: 'key-version-retired';
  /** The needed versions that were already retired when the backup was recorded, in ring order. */
  readonly keyVersionIds: readonly string[];
}
