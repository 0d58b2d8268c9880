import { Command } from '@nestjs/cqrs';
import type { BreakGlassClaim } from '../../break-glass/privileged-use.js';

export interface ShredForced {
  readonly tenantId: string;
  readonly shredId: string;
  /** Now, or when it was already due. */
  readonly executeAt: string;
  readonly deadline: string;
}

/**
 * Forces the tenant's scheduled shred to execute now (break-glass `shred.execute-now`): allowed only
 * under the grant `breakGlass` names, whose use (or refusal) the handler records once the domain
 * said the shred can be forced.
 */
export class ExecuteShredNowCommand extends Command<ShredForced> {
  constructor(
    readonly tenantId: string,
    /** The caller and the grant it names; undefined without a caller (refused as naming no grant). */
    readonly breakGlass: BreakGlassClaim | undefined,
    /** This request's own id: the event's id derives from it. */
    readonly requestId: string,
  ) {
    super();
  }
}
