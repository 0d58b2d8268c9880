import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { KeyRingState } from '@lethe/domain';
import { KeyRingRepository } from '../key-ring-repository.js';
import { ChangeBackupRetentionCommand } from './change-backup-retention.command.js';
import { KeyRingOpener } from '../key-ring-opener.js';

@CommandHandler(ChangeBackupRetentionCommand)
export class ChangeBackupRetentionHandler implements ICommandHandler<ChangeBackupRetentionCommand> {
  constructor(
    @Inject(KeyRingRepository) private readonly keyRings: KeyRingRepository,
    @Inject(KeyRingOpener) private readonly opener: KeyRingOpener,
  ) {}

  async execute({ tenantId, backupId, expiresAt }: ChangeBackupRetentionCommand): Promise<KeyRingState> {
    const loaded = await this.opener.loadOpened(tenantId);
    const { state } = await this.keyRings.execute(tenantId, { type: 'ChangeBackupRetention', data: { backupId, expiresAt } }, `backup-retention:${backupId}:${expiresAt}`, { loaded });
    return state;
  }
}
