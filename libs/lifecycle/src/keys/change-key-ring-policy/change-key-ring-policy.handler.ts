// Changes the rotation period (moves the rotation timer) and the point-in-time window (moves the
// retention timers), from one read of the ring: the second change is appended at the revision the
// first one left (a concurrent write makes it reload, as any command).
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '@lethe/clock';
import type { KeyRingState } from '@lethe/domain';
import type { Loaded } from '../../aggregate-repository.js';
import { KeyRingRepository } from '../key-ring-repository.js';
import { ChangeKeyRingPolicyCommand } from './change-key-ring-policy.command.js';
import { KeyRingOpener } from '../key-ring-opener.js';

@CommandHandler(ChangeKeyRingPolicyCommand)
export class ChangeKeyRingPolicyHandler implements ICommandHandler<ChangeKeyRingPolicyCommand> {
  constructor(
    @Inject(KeyRingRepository) private readonly keyRings: KeyRingRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(KeyRingOpener) private readonly opener: KeyRingOpener,
  ) {}

  async execute({ tenantId, change }: ChangeKeyRingPolicyCommand): Promise<KeyRingState> {
    let loaded: Loaded<KeyRingState> = await this.opener.loadOpened(tenantId);
    const at = this.clock.now().toISOString();
    const { rotationPeriodDays, pitrRetentionDays } = change;
    if (rotationPeriodDays !== undefined) {
      const { state, revision } = await this.keyRings.execute(tenantId, { type: 'ChangeRotationPeriod', data: { rotationPeriodDays } }, `rotation-period:${at}:${rotationPeriodDays}`, { loaded });
      loaded = { state, revision };
    }
    if (pitrRetentionDays !== undefined) {
      const { state } = await this.keyRings.execute(tenantId, { type: 'ChangeBackupPolicy', data: { pitrRetentionDays } }, `backup-policy:${at}:${pitrRetentionDays}`, { loaded });
      return state;
    }
    return loaded.state;
  }
}
