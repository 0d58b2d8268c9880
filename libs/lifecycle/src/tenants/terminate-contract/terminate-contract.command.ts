import { Command } from '@nestjs/cqrs';
import type { ShredAnswer } from '../shred-answer.js';
import type { TerminationNotice } from '../termination-shred.js';

export class TerminateContractCommand extends Command<ShredAnswer> {
  constructor(
    readonly tenantId: string,
    readonly notice: TerminationNotice,
    /** How the notice arrived: recorded with it (`source` in its metadata), for the audit trail. */
    readonly source: 'http' | 'amqp' = 'http',
  ) {
    super();
  }
}
