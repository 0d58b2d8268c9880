// Operations only an active break-glass grant opens. The call names its grant in the
// Break-Glass-Grant header; the grant must be approved, inside its window, and cover the route's
// tenant and operation. Every use and every refusal is recorded (PrivilegedUse) before the
// operation runs; a refusal answers 403 naming the grant (or its absence) and why (the
// BreakGlassRequiredError it throws, answered by DomainErrorFilter). The route calls
// PrivilegedAccess.require after its input was validated, so a bad request (400) records nothing.
import { Inject, Injectable } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import type { PrivilegedOperation } from '@lethe/domain';
import { actAs, PrivilegedUse, type BreakGlassClaim } from '@lethe/lifecycle';
import { ProblemException, type CallerContext } from '../../http/index.js';
import { BREAK_GLASS_HEADER } from './break-glass-problem.js';

export { BREAK_GLASS_HEADER };

/** Documents the route's Break-Glass-Grant header (the route calls PrivilegedAccess.require). */
export const Privileged = (operation: PrivilegedOperation) =>
  ApiHeader({ name: BREAK_GLASS_HEADER, required: true, description: `The id of an approved break-glass grant whose scope covers \`${operation}\` on this tenant (403 \`break-glass-required\` otherwise; the refusal is recorded)` });

/**
 * Documents a Break-Glass-Grant header a route needs only for some inputs (`when`, e.g. a backup kept
 * past the maximum retention); otherwise it is ignored.
 */
export const PrivilegedWhen = (operation: PrivilegedOperation, when: string) =>
  ApiHeader({
    name: BREAK_GLASS_HEADER,
    required: false,
    description: `Needed only ${when}: the id of an approved break-glass grant whose scope covers \`${operation}\` on this tenant (403 \`break-glass-required\` otherwise; the refusal is recorded). Ignored otherwise.`,
  });

/** The caller and the grant its Break-Glass-Grant header names (null without one); undefined without a caller. */
export function breakGlassClaim(header: string | undefined, caller: CallerContext | undefined): BreakGlassClaim | undefined {
  if (caller === undefined) return undefined;
  return { by: caller.subject, grantId: typeof header === 'string' && header.trim() !== '' ? header.trim() : null };
}

@Injectable()
export class PrivilegedAccess {
  constructor(@Inject(PrivilegedUse) private readonly privileged: PrivilegedUse) {}

  /** Records the use of the grant `header` names for `operation` on `tenantId`, or its refusal (BreakGlassRequiredError: 403). */
  async require(operation: PrivilegedOperation, tenantId: string, header: string | undefined, caller: CallerContext | undefined): Promise<void> {
    if (caller === undefined) throw new ProblemException({ status: 403, detail: 'This route needs a caller.' });
    await actAs(caller.subject, () => this.privileged.require(operation, tenantId, breakGlassClaim(header, caller)));
  }
}
