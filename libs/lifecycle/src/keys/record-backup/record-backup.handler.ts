// Records a backup as the key ring decides it: a tenant with backupKeyMode 'platform' gets a
// platform-key asset in the data plane (the shred purges it); otherwise the data plane keeps the
// backup's data key wrapped with the version protecting its database when it was taken — unless that
// version is already retired, when the backup is recorded flagged and nothing can be wrapped.
// One read of the ring (and one of the tenant, which owns backupKeyMode and the shred): the decision
// made against it says what the data plane must hold, and the append is made at its revision.
// A backup kept past the maximum retention needs the caller's break-glass grant (backup.extend-retention):
// its use, or its refusal, is recorded before the data plane acts.
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '@lethe/clock';
import { EXTEND_BACKUP_RETENTION, decideKeyRing, type BackupProtection, type KeyRingState, type RecordBackup } from '@lethe/domain';
import { PrivilegedUse } from '../../break-glass/privileged-use.js';
import { DATA_PLANE } from '../../lifecycle.tokens.js';
import type { LifecycleDataPlane } from '../../lifecycle-ports.js';
import { TenantRepository } from '../../tenants/tenant-repository.js';
import { hasDataKeyCopy } from '../backup-data-key.js';
import { backupCause, KeyRingRepository } from '../key-ring-repository.js';
import { shredExecutedError, tenantFactsOf } from '../tenant-facts.js';
import { RecordBackupCommand } from './record-backup.command.js';
import { KeyRingOpener } from '../key-ring-opener.js';

@CommandHandler(RecordBackupCommand)
export class RecordBackupHandler implements ICommandHandler<RecordBackupCommand> {
  constructor(
    @Inject(KeyRingRepository) private readonly keyRings: KeyRingRepository,
    @Inject(TenantRepository) private readonly tenants: TenantRepository,
    @Inject(DATA_PLANE) private readonly dataPlane: Pick<LifecycleDataPlane, 'addPlatformBackup' | 'recordBackup'>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(KeyRingOpener) private readonly opener: KeyRingOpener,
    @Inject(PrivilegedUse) private readonly privileged: PrivilegedUse,
  ) {}

  /**
   * DomainError 'tenant-shredded' once the shred was executed (a replay still answers), or the
   * decider's; BreakGlassRequiredError past the maximum retention without a grant covering it.
   */
  async execute({ tenantId, backup, breakGlass }: RecordBackupCommand): Promise<KeyRingState> {
    const [loaded, tenant] = await Promise.all([this.opener.loadOpened(tenantId), this.tenants.load(tenantId)]);
    const facts = tenantFactsOf(tenant.state);
    const protection: BackupProtection = facts.backupKeyMode === 'platform' ? 'platform-key' : 'customer-key';
    const data = { ...backup, protection };
    // Decided as execute will decide it (with the archived backup of that id, if any) before the data plane acts.
    const context = await this.keyRings.contextFor(this.clock.now(), loaded.state, { type: 'RecordBackup', data });
    const { command, events } = await this.privileged.decideUnderGrant(EXTEND_BACKUP_RETENTION, tenantId, breakGlass, (grantId) => {
      const command: RecordBackup = { type: 'RecordBackup', data: grantId === undefined ? data : { ...data, grantId } };
      const events = decideKeyRing(command, loaded.state, context);
      // Part of the decision (before any grant is used): a shredded tenant takes no new backup.
      if (facts.shredExecuted && events.some((e) => e.type === 'BackupRecorded')) throw shredExecutedError();
      return { command, events };
    });
    const recorded = events.find((e) => e.type === 'BackupRecorded');
    if (recorded) {
      const d = recorded.data;
      if (d.protection === 'platform-key') await this.dataPlane.addPlatformBackup(tenantId, d.backupId, d.databaseId);
      else if (hasDataKeyCopy(d)) await this.dataPlane.recordBackup(tenantId, d.backupId, d.databaseId, d.restoreKeyVersionId!);
    }
    const { state } = await this.keyRings.execute(tenantId, command, backupCause(backup.backupId), { loaded, context });
    return state;
  }
}
