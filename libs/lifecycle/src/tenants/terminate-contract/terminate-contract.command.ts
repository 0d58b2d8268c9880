import { Command } from '@nestjs/cqrs';
import type { ShredAnswer } from '../shred-answer.js';
import type { TerminationNotice } from '../termination-shred.js';

export class TerminateContractCommand extends Command<ShredAnswer> {
  constructor(
    readonly tenantId: string,
    readonly notice: TerminationNotice,
  ) {
    super();
  }
}
