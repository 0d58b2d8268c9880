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
    /** The grant the call named, if it exists; null when it named none or an unknown one. */
    readonly grantId: string | null,
    readonly reason: UseRefusal,
  ) {
    super(`${operation} on tenant ${tenantId} needs an active break-glass grant covering it (${reason})`);
    this.name = 'BreakGlassRequiredError';
  }
}
