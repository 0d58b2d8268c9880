// Moves the scheduled shred's execution to now; the shred saga moves its timer, which then runs the
// steps as it would have at the scheduled instant. The deadline (P4) is untouched. The domain decides
// first (no such tenant, no shred scheduled, already executed: answered without touching the grant),
// then the grant's use is recorded (PrivilegedUse), then the shred is forced under it.
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, type PrivilegedOperation } from '@lethe/domain';
import { PrivilegedUse } from '../../break-glass/privileged-use.js';
import { TenantRepository } from '../tenant-repository.js';
import { ExecuteShredNowCommand, type ShredForced } from './execute-shred-now.command.js';

const EXECUTE_SHRED_NOW: PrivilegedOperation = 'shred.execute-now';

@CommandHandler(ExecuteShredNowCommand)
export class ExecuteShredNowHandler implements ICommandHandler<ExecuteShredNowCommand> {
  constructor(
    @Inject(TenantRepository) private readonly tenants: TenantRepository,
    @Inject(PrivilegedUse) private readonly privileged: PrivilegedUse,
  ) {}

  /** The decider's DomainError (nothing recorded); BreakGlassRequiredError (its refusal recorded) without a grant covering it. */
  async execute({ tenantId, breakGlass, requestId }: ExecuteShredNowCommand): Promise<ShredForced> {
    const loaded = await this.tenants.load(tenantId);
    // The domain's refusals do not depend on the grant: the id given here is only what its event would name.
    await this.tenants.decideOn(loaded, { type: 'ExecuteShredNow', data: { grantId: breakGlass?.grantId ?? '' } });
    const grantId = await this.privileged.require(EXECUTE_SHRED_NOW, tenantId, breakGlass);
    const { state } = await this.tenants.execute(tenantId, { type: 'ExecuteShredNow', data: { grantId } }, `execute-now:${requestId}`, { loaded });
    if (!state.exists || !state.shred) throw new DomainError('tenant-not-found', 'tenant not found');
    return { tenantId, shredId: state.shred.shredId, executeAt: state.shred.executeAt, deadline: state.shred.deadline };
  }
}
