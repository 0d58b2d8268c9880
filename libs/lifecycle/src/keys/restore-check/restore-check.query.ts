import { Query } from '@nestjs/cqrs';
import type { BackupProtection } from '@lethe/domain';

/**
 * The answer to a restore check: the data plane's verdict (its RestoreCheckResult) with what protects
 * the backup. keyVersionId: the tenant key version involved (null for a platform-key backup). reason
 * (when not restorable): the data plane's ('key-version-destroyed', 'asset-purged', …),
 * 'backup-deleted', or for a backup recorded after a version it needs was retired
 * 'key-version-retired' / 'key-version-destroyed' (as the vault now has it). detail names ids only.
 */
export type RestoreCheck = { readonly protection: BackupProtection } & (
  | { readonly restorable: true; readonly keyVersionId: string | null }
  | { readonly restorable: false; readonly keyVersionId: string | null; readonly reason: string; readonly detail: string }
);

/** Unwraps and decrypts the backup's data key, or checks the platform-key asset; restores nothing. */
export class RestoreCheckQuery extends Query<RestoreCheck> {
  constructor(
    readonly tenantId: string,
    readonly backupId: string,
  ) {
    super();
  }
}
