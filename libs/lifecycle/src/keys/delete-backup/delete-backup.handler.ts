import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { findBackup, type KeyRingState } from '@lethe/domain';
import { DATA_PLANE } from '../../lifecycle.tokens.js';
import type { LifecycleDataPlane } from '../../lifecycle-ports.js';
import { hasDataKeyCopy } from '../backup-data-key.js';
import { backupDeletedCause, KeyRingRepository } from '../key-ring-repository.js';
import { DeleteBackupCommand } from './delete-backup.command.js';
import { KeyRingOpener } from '../key-ring-opener.js';

@CommandHandler(DeleteBackupCommand)
export class DeleteBackupHandler implements ICommandHandler<DeleteBackupCommand> {
  constructor(
    @Inject(KeyRingRepository) private readonly keyRings: KeyRingRepository,
    @Inject(DATA_PLANE) private readonly dataPlane: Pick<LifecycleDataPlane, 'deleteBackup'>,
    @Inject(KeyRingOpener) private readonly opener: KeyRingOpener,
  ) {}

  async execute({ tenantId, backupId }: DeleteBackupCommand): Promise<KeyRingState> {
    const loaded = await this.opener.loadOpened(tenantId);
    const { state } = await this.keyRings.execute(tenantId, { type: 'DeleteBackup', data: { backupId } }, backupDeletedCause(backupId), { loaded });
    // Only a customer-key copy recorded in the data plane has a data key to erase. A platform-key
    // backup stays an asset until the shred purges it: we cannot prove the platform erased it.
    // An archived backup's versions are retired and destroyed: its copy is unreadable already.
    const backup = findBackup(state, backupId);
    if (backup && hasDataKeyCopy(backup)) await this.dataPlane.deleteBackup(tenantId, backupId);
    return state;
  }
}
