import type { BackupState } from '@lethe/domain';

/**
 * Whether the data plane keeps a copy of the backup's data key: only for a customer-key backup, and
 * not when the version it would be wrapped with was already retired when the backup was recorded.
 */
export function hasDataKeyCopy(b: Pick<BackupState, 'protection' | 'restoreKeyVersionId' | 'unrestorable'>): boolean {
  return b.protection === 'customer-key' && b.restoreKeyVersionId !== null && !b.unrestorable?.keyVersionIds.includes(b.restoreKeyVersionId);
}
