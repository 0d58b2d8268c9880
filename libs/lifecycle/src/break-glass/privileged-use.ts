// A privileged operation's grant check, the one place a use or a refusal is recorded (UseGrantCommand),
// for every use case that runs one: those privileged as a whole (probe.read, shred.execute-now,
// key-version.enable) and those only some of whose inputs are (a backup kept past the maximum
// retention, which only the key ring's decision reveals). The order is the same for all of them:
// 1. the operation's own refusals (unknown tenant, key version or database, nothing to force...),
//    decided without the grant: they answer as they would anyway and record nothing;
// 2. `require`: the grant's use is recorded (or its refusal, answered 403), so a recorded use always
//    means the operation was allowed and attempted;
// 3. the operation runs.
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

/** Stands for "some grant" when the domain is asked what it would refuse besides the grant (never recorded). */
const ANY_GRANT = 'any-grant';

@Injectable()
export class PrivilegedUse {
  constructor(@Inject(UseGrantHandler) private readonly uses: Pick<UseGrantHandler, 'execute'>) {}

  /**
   * The id of the grant `claim` names once its use for `operation` on `tenantId` is recorded;
   * BreakGlassRequiredError once its refusal is (naming the grant id the caller sent, even an unknown
   * one). Without a claim (no caller to name) nothing can be recorded, and the call is refused as
   * naming no grant. DomainError 'tenant-not-found' (nothing recorded) when the tenant does not exist.
   * Call it after the operation's own refusals were decided (see above).
   */
  async require(operation: PrivilegedOperation, tenantId: string, claim: BreakGlassClaim | undefined): Promise<string> {
    if (claim === undefined) throw new BreakGlassRequiredError(operation, tenantId, null, 'no-grant');
    const use = await this.uses.execute(new UseGrantCommand(claim.grantId, claim.by, operation, tenantId));
    if (use.allowed) return use.grantId;
    throw new BreakGlassRequiredError(operation, tenantId, use.grantId ?? claim.grantId, use.reason);
  }

  /**
   * `decide` without a grant; when the domain refuses that as 'break-glass-required', `decide` runs
   * once more as if a grant covered the call (the id the claim names, or any), so that every other
   * refusal (`decide`'s DomainError) answers before the grant is touched; then the grant `claim`
   * names is required for `operation` (its use or refusal recorded) and `decide` runs again with its
   * id. So a call that needs no grant records nothing and ignores any grant it names, and a call
   * refused for another reason uses none.
   */
  async decideUnderGrant<T>(operation: PrivilegedOperation, tenantId: string, claim: BreakGlassClaim | undefined, decide: (grantId: string | undefined) => T): Promise<T> {
    try {
      return decide(undefined);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== BREAK_GLASS_REQUIRED) throw error;
    }
    decide(claim?.grantId ?? ANY_GRANT);
    return decide(await this.require(operation, tenantId, claim));
  }
}
