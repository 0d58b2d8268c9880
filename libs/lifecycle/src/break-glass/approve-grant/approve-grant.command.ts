import { Command } from '@nestjs/cqrs';
import type { GrantState } from '@lethe/domain';

/** One approver's approval; answers the grant, `approved` once it has the approvals it needs. */
export class ApproveGrantCommand extends Command<GrantState> {
  constructor(
    readonly grantId: string,
    readonly approver: string,
  ) {
    super();
  }
}
