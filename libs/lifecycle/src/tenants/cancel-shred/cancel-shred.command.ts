import { Command } from '@nestjs/cqrs';
import type { TenantState } from '@lethe/domain';

export class CancelShredCommand extends Command<TenantState> {
  constructor(
    readonly tenantId: string,
    readonly reason: string,
    /** This request's own id: the cancel's events derive their ids from it. */
    readonly requestId: string,
  ) {
    super();
  }
}
