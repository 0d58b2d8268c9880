// Cancels the pending shred. It also withdraws every trigger received before it (P4), including
// terminations already in the contract stream that a processor has not handled yet: the cancel
// records how far that stream went when it was received.
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { contractStream, type TenantState } from '@lethe/domain';
import { EVENT_STORE, type EventStore } from '@lethe/eventstore';
import { CRASH_HOOK } from '../../lifecycle.tokens.js';
import type { CrashHook } from '../../crash-points.js';
import { TenantRepository } from '../tenant-repository.js';
import { CancelShredCommand } from './cancel-shred.command.js';

@CommandHandler(CancelShredCommand)
export class CancelShredHandler implements ICommandHandler<CancelShredCommand> {
  constructor(
    @Inject(TenantRepository) private readonly tenants: TenantRepository,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CRASH_HOOK) private readonly crash: CrashHook,
  ) {}

  async execute({ tenantId, reason, requestId }: CancelShredCommand): Promise<TenantState> {
    const contract = await this.store.readStream(contractStream(tenantId));
    const contractRevision = contract.length === 0 ? null : Number(contract[contract.length - 1].revision);
    const { state } = await this.tenants.execute(tenantId, { type: 'CancelShred', data: { reason, contractRevision } }, `cancel:${requestId}`);
    this.crash('cancel:recorded');
    return state;
  }
}
