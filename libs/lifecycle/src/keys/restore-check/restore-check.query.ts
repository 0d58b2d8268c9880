import { Query } from '@nestjs/cqrs';
import type { BackupProtection } from '@lethe/domain';
import type { RestoreCheckResult } from '@lethe/dataplane';

/**
 * The answer to a restore check: the data plane's verdict (RestoreCheckResult) with what protects
 * the backup. keyVersionId: the tenant key version involved (null for a platform-key backup). reason
 * (when not restorable): the data plane's ('key-version-destroyed', 'asset-purged', …),
 * 'backup-deleted', or for a backup recorded after a version it needs was retired
 * 'key-version-retired' / 'key-version-destroyed' (as the vault now has it). detail names ids only.
 */
export type RestoreCheck =
  | (Extract<RestoreCheckResult, { restorable: true }> | { readonly restorable: true; readonly keyVersionId: null }
    | { readonly restorable: false; readonly keyVersionId: string | null; readonly reason: string; readonly detail: string }) & { readonly protection: BackupProtection };

/** Unwraps and decrypts the backup's data key, or checks the platform-key asset; restores nothing. */
export class RestoreCheckQuery extends Query<RestoreCheck> {
  constructor(
    readonly tenantId: string,
    readonly backupId: string,
  ) {
    super();
  }
}
