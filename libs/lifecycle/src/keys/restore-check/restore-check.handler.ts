import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DomainError, findBackup, type BackupState, type KeyRingState } from '@lethe/domain';
import type { KeyVault } from '@lethe/vault';
import { DATA_PLANE, VAULT } from '../../lifecycle.tokens.js';
import type { LifecycleDataPlane } from '../../lifecycle-ports.js';
import { KeyRingRepository } from '../key-ring-repository.js';
import { RestoreCheckQuery, type RestoreCheck } from './restore-check.query.js';

@QueryHandler(RestoreCheckQuery)
export class RestoreCheckHandler implements IQueryHandler<RestoreCheckQuery> {
  constructor(
    @Inject(KeyRingRepository) private readonly keyRings: KeyRingRepository,
    @Inject(VAULT) private readonly vault: Pick<KeyVault, 'listVersions'>,
    @Inject(DATA_PLANE) private readonly dataPlane: Pick<LifecycleDataPlane, 'restoreCheck' | 'checkAsset'>,
  ) {}

  /** DomainError 'tenant-not-found', 'backup-not-found'. */
  async execute({ tenantId, backupId }: RestoreCheckQuery): Promise<RestoreCheck> {
    const { state } = await this.keyRings.loadExisting(tenantId);
    // An archived backup answers as before it left the state, from the events that recorded it.
    const backup = findBackup(state, backupId) ?? (await this.keyRings.archivedBackup(state, backupId));
    if (!backup) throw new DomainError('backup-not-found', 'backup not found');
    const { protection } = backup;
    if (backup.deletedAt) {
      return { restorable: false, protection, keyVersionId: backup.restoreKeyVersionId, reason: 'backup-deleted', detail: `backup ${backupId} was deleted at ${backup.deletedAt}` };
    }
    if (protection === 'platform-key') {
      const check = await this.dataPlane.checkAsset(tenantId, 'platform-backup', backupId);
      return check.readable ? { restorable: true, protection, keyVersionId: null } : { restorable: false, protection, keyVersionId: null, reason: check.reason, detail: check.detail };
    }
    if (backup.unrestorable) return this.unrestorable(state, backup);
    return { ...(await this.dataPlane.restoreCheck(tenantId, backupId)), protection };
  }

  /** A backup recorded after a version it needs was retired: say which, and how gone it is now. */
  private async unrestorable(state: KeyRingState, backup: BackupState): Promise<RestoreCheck> {
    const keyVersionId = backup.unrestorable!.keyVersionIds[0]!;
    const versions = await this.vault.listVersions(state.keyId!).catch(() => []);
    const destroyed = versions.some((v) => v.versionId === keyVersionId && v.state === 'destroyed');
    return {
      restorable: false,
      protection: backup.protection,
      keyVersionId,
      reason: destroyed ? 'key-version-destroyed' : 'key-version-retired',
      detail: `backup ${backup.backupId} needs key version ${keyVersionId}, retired before the backup was recorded`,
    };
  }
}
