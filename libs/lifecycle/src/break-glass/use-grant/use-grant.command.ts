import { Command } from '@nestjs/cqrs';
import type { PrivilegedOperation, UseRefusal } from '@lethe/domain';

export type GrantUse = { readonly allowed: true; readonly grantId: string } | { readonly allowed: false; readonly grantId: string | null; readonly reason: UseRefusal };

/**
 * A privileged call asks to use a grant (`grantId` from its Break-Glass-Grant header, null without
 * one). Either way an event records it: the use, or the refusal and why.
 */
export class UseGrantCommand extends Command<GrantUse> {
  constructor(
    readonly grantId: string | null,
    readonly by: string,
    readonly operation: PrivilegedOperation,
    readonly tenantId: string,
  ) {
    super();
  }
}
