// The tenant's own deletion request: a shred whose clock starts when the request is received
// (ARCHITECTURE §2), whatever requestedAt says.
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '@lethe/clock';
import type { ShredTrigger } from '@lethe/domain';
import { shredAnswer, type ShredAnswer } from '../shred-answer.js';
import { TenantRepository } from '../tenant-repository.js';
import { RequestDeletionCommand } from './request-deletion.command.js';

@CommandHandler(RequestDeletionCommand)
export class RequestDeletionHandler implements ICommandHandler<RequestDeletionCommand> {
  constructor(
    @Inject(TenantRepository) private readonly tenants: TenantRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ tenantId, request }: RequestDeletionCommand): Promise<ShredAnswer> {
    const now = this.clock.now().toISOString();
    const trigger: ShredTrigger = { kind: 'deletion-request', requestId: request.requestId, ...(request.requestedAt ? { requestedAt: request.requestedAt } : {}) };
    const { state } = await this.tenants.execute(
      tenantId,
      { type: 'ScheduleShred', data: { trigger, effectiveAt: now, receivedAt: now } },
      `deletion-request:${request.requestId}`,
    );
    return shredAnswer(state, trigger);
  }
}
