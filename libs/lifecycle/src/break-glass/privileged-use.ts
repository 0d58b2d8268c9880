// A privileged operation's grant check, for whatever runs it: a route that is privileged as a whole
// (the API's PrivilegedAccess) or a use case only some of whose inputs are (a backup kept past the
// maximum retention, which only the key ring's decision reveals). Either way the use or the refusal
// is recorded (UseGrantCommand) before the operation runs.
import { Inject, Injectable } from '@nestjs/common';
import { BREAK_GLASS_REQUIRED, DomainError, type PrivilegedOperation } from '@lethe/domain';
import { BreakGlassRequiredError } from './break-glass-required.error.js';
import { UseGrantCommand } from './use-grant/use-grant.command.js';
import { UseGrantHandler } from './use-grant/use-grant.handler.js';

/** Who makes a call, and the grant it names (its Break-Glass-Grant header; null without one). */
export interface BreakGlassClaim {
  readonly by: string;
  readonly grantId: string | null;
}

@Injectable()
export class PrivilegedUse {
  constructor(@Inject(UseGrantHandler) private readonly uses: Pick<UseGrantHandler, 'execute'>) {}

  /**
   * The id of the grant `claim` names once its use for `operation` on `tenantId` is recorded;
   * BreakGlassRequiredError once its refusal is. Without a claim (no caller to name) nothing can be
   * recorded, and the call is refused as naming no grant.
   */
  async require(operation: PrivilegedOperation, tenantId: string, claim: BreakGlassClaim | undefined): Promise<string> {
    if (claim === undefined) throw new BreakGlassRequiredError(operation, tenantId, null, 'no-grant');
    const use = await this.uses.execute(new UseGrantCommand(claim.grantId, claim.by, operation, tenantId));
    if (use.allowed) return use.grantId;
    throw new BreakGlassRequiredError(operation, tenantId, use.grantId, use.reason);
  }

  /**
   * `decide` without a grant; when the domain refuses that as 'break-glass-required', the grant
   * `claim` names is required for `operation` (its use or refusal recorded) and `decide` runs again
   * with its id. So a call that needs no grant records nothing and ignores any grant it names.
   */
  async decideUnderGrant<T>(operation: PrivilegedOperation, tenantId: string, claim: BreakGlassClaim | undefined, decide: (grantId: string | undefined) => T): Promise<T> {
    try {
      return decide(undefined);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== BREAK_GLASS_REQUIRED) throw error;
    }
    return decide(await this.require(operation, tenantId, claim));
  }
}
