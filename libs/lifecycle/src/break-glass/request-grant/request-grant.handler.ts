import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { GrantState } from '@lethe/domain';
import { BreakGlassRepository } from '../break-glass-repository.js';
import { grantOf } from '../grant-of.js';
import { RequestGrantCommand } from './request-grant.command.js';

@CommandHandler(RequestGrantCommand)
export class RequestGrantHandler implements ICommandHandler<RequestGrantCommand> {
  constructor(@Inject(BreakGlassRepository) private readonly grants: BreakGlassRepository) {}

  async execute({ requestedBy, taskRef, reason, scope, durationMinutes }: RequestGrantCommand): Promise<GrantState> {
    const grantId = randomUUID();
    const { state } = await this.grants.execute(grantId, { type: 'RequestBreakGlass', data: { grantId, requestedBy, taskRef, reason, scope, durationMinutes } }, `break-glass-request:${grantId}`);
    return grantOf(state);
  }
}
