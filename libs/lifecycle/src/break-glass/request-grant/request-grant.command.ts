import { Command } from '@nestjs/cqrs';
import type { BreakGlassScope, GrantState } from '@lethe/domain';

/** Requests a break-glass grant (a new id); answers the grant as recorded, `requested`. */
export class RequestGrantCommand extends Command<GrantState> {
  constructor(
    readonly requestedBy: string,
    readonly taskRef: string,
    readonly reason: string,
    readonly scope: BreakGlassScope,
    readonly durationMinutes: number,
  ) {
    super();
  }
}
