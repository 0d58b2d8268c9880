// A backup's new retention, decided from one read of the ring. Keeping it longer than the maximum
// retention needs the caller's break-glass grant (backup.extend-retention): only the ring knows when
// the backup was taken, so the decision says whether it is needed; its use or refusal is recorded first.
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '@lethe/clock';
import { EXTEND_BACKUP_RETENTION, decideKeyRing, type ChangeBackupRetention, type KeyRingState } from '@lethe/domain';
import { PrivilegedUse } from '../../break-glass/privileged-use.js';
import { KeyRingRepository } from '../key-ring-repository.js';
import { ChangeBackupRetentionCommand } from './change-backup-retention.command.js';
import { KeyRingOpener } from '../key-ring-opener.js';

@CommandHandler(ChangeBackupRetentionCommand)
export class ChangeBackupRetentionHandler implements ICommandHandler<ChangeBackupRetentionCommand> {
  constructor(
    @Inject(KeyRingRepository) private readonly keyRings: KeyRingRepository,
    @Inject(KeyRingOpener) private readonly opener: KeyRingOpener,
    @Inject(PrivilegedUse) private readonly privileged: PrivilegedUse,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The decider's DomainError; BreakGlassRequiredError for a longer retention past the maximum without a grant covering it. */
  async execute({ tenantId, backupId, expiresAt, breakGlass }: ChangeBackupRetentionCommand): Promise<KeyRingState> {
    const loaded = await this.opener.loadOpened(tenantId);
    const data = { backupId, expiresAt };
    const context = await this.keyRings.contextFor(this.clock.now(), loaded.state, { type: 'ChangeBackupRetention', data });
    const command = await this.privileged.decideUnderGrant(EXTEND_BACKUP_RETENTION, tenantId, breakGlass, (grantId) => {
      const command: ChangeBackupRetention = { type: 'ChangeBackupRetention', data: grantId === undefined ? data : { ...data, grantId } };
      decideKeyRing(command, loaded.state, context);
      return command;
    });
    const { state } = await this.keyRings.execute(tenantId, command, `backup-retention:${backupId}:${expiresAt}`, { loaded, context });
    return state;
  }
}
