// How backups relate to key retention (P3): a backup's protection and the flag of one recorded too
// late. Restore points are made continuously, so a superseded key version must outlive its last use
// by the point-in-time retention window whether or not a backup naming it has been registered yet;
// the window's numbers are in promises.ts.

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
