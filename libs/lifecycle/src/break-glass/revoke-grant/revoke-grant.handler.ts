import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DomainError, type GrantState } from '@lethe/domain';
import { BreakGlassRepository } from '../break-glass-repository.js';
import { grantOf, isGrantId } from '../grant-of.js';
import { RevokeGrantCommand } from './revoke-grant.command.js';

@CommandHandler(RevokeGrantCommand)
export class RevokeGrantHandler implements ICommandHandler<RevokeGrantCommand> {
  constructor(@Inject(BreakGlassRepository) private readonly grants: BreakGlassRepository) {}

  async execute({ grantId, by }: RevokeGrantCommand): Promise<GrantState> {
    if (!isGrantId(grantId)) throw new DomainError('grant-not-found', 'break-glass grant not found');
    const { state } = await this.grants.execute(grantId, { type: 'RevokeBreakGlass', data: { by } }, `break-glass-revoke:${grantId}`);
    return grantOf(state);
  }
}
