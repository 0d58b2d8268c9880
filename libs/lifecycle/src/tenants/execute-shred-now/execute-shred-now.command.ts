import { Command } from '@nestjs/cqrs';

export interface ShredForced {
  readonly tenantId: string;
  readonly shredId: string;
  /** Now, or when it was already due. */
  readonly executeAt: string;
  readonly deadline: string;
}

/** Forces the tenant's scheduled shred to execute now (break-glass `shred.execute-now`, under `grantId`). */
export class ExecuteShredNowCommand extends Command<ShredForced> {
  constructor(
    readonly tenantId: string,
    readonly grantId: string,
    /** This request's own id: the event's id derives from it. */
    readonly requestId: string,
  ) {
    super();
  }
}
