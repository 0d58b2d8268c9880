import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, type GrantState } from '@lethe/domain';
import { BreakGlassRepository } from '../break-glass-repository.js';
import { grantOf, isGrantId } from '../grant-of.js';
import { ApproveGrantCommand } from './approve-grant.command.js';

@CommandHandler(ApproveGrantCommand)
export class ApproveGrantHandler implements ICommandHandler<ApproveGrantCommand> {
  constructor(@Inject(BreakGlassRepository) private readonly grants: BreakGlassRepository) {}

  async execute({ grantId, approver }: ApproveGrantCommand): Promise<GrantState> {
    if (!isGrantId(grantId)) throw new DomainError('grant-not-found', 'break-glass grant not found');
    // One cause per approver: a retried approval appends nothing again.
    const { state } = await this.grants.execute(grantId, { type: 'ApproveBreakGlass', data: { approver } }, `break-glass-approve:${grantId}:${approver}`);
    return grantOf(state);
  }
}
