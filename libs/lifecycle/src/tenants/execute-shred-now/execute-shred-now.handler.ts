// Moves the scheduled shred's execution to now; the shred saga moves its timer, which then runs the
// steps as it would have at the scheduled instant. The deadline (P4) is untouched.
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError } from '@lethe/domain';
import { TenantRepository } from '../tenant-repository.js';
import { ExecuteShredNowCommand, type ShredForced } from './execute-shred-now.command.js';

@CommandHandler(ExecuteShredNowCommand)
export class ExecuteShredNowHandler implements ICommandHandler<ExecuteShredNowCommand> {
  constructor(@Inject(TenantRepository) private readonly tenants: TenantRepository) {}

  async execute({ tenantId, grantId, requestId }: ExecuteShredNowCommand): Promise<ShredForced> {
    const { state } = await this.tenants.execute(tenantId, { type: 'ExecuteShredNow', data: { grantId } }, `execute-now:${requestId}`);
    if (!state.exists || !state.shred) throw new DomainError('tenant-not-found', 'tenant not found');
    return { tenantId, shredId: state.shred.shredId, executeAt: state.shred.executeAt, deadline: state.shred.deadline };
  }
}
