import { Command } from '@nestjs/cqrs';
import type { ShredAnswer } from '../shred-answer.js';

export interface DeletionRequest {
  readonly requestId: string;
  /** ISO 8601 instant the tenant says it asked; informative only: the clock starts on receipt. */
  readonly requestedAt?: string;
}

export class RequestDeletionCommand extends Command<ShredAnswer> {
  constructor(
    readonly tenantId: string,
    readonly request: DeletionRequest,
  ) {
    super();
  }
}
