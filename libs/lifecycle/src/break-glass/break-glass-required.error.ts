import type { PrivilegedOperation, UseRefusal } from '@lethe/domain';

/**
 * A privileged operation was refused for want of a grant covering it: the call named none, or one
 * that does not cover it now (`reason`). The refusal is already recorded (UseGrantCommand) when this
 * is thrown; the API answers 403 `break-glass-required` naming the operation, the grant and why.
 */
export class BreakGlassRequiredError extends Error {
  constructor(
    readonly operation: PrivilegedOperation,
    readonly tenantId: string,
    /** The grant id the call named (as sent, even one that does not exist); null when it named none. */
    readonly grantId: string | null,
    readonly reason: UseRefusal,
  ) {
    super(`${operation} on tenant ${tenantId} needs an active break-glass grant covering it (${reason})`);
    this.name = 'BreakGlassRequiredError';
  }
}
