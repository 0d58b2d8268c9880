import { Command } from '@nestjs/cqrs';
import type { GrantState } from '@lethe/domain';

/** Closes a grant before its window ends (or before it was approved). */
export class RevokeGrantCommand extends Command<GrantState> {
  constructor(
    readonly grantId: string,
    readonly by: string,
  ) {
    super();
  }
}
