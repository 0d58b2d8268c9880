// Operations only an active break-glass grant opens. The call names its grant in the
// Break-Glass-Grant header; the grant must be approved, inside its window, and cover the route's
// tenant and operation. Every use and every refusal is recorded (UseGrantCommand) before the
// operation runs; a refusal answers 403 naming the grant (or its absence) and why. The route calls
// PrivilegedAccess.require after its input was validated, so a bad request (400) records nothing.
import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader } from '@nestjs/swagger';
import type { PrivilegedOperation } from '@lethe/domain';
import { actAs, UseGrantCommand, type GrantUse } from '@lethe/lifecycle';
import { ProblemException, type CallerContext } from '../../http/index.js';

export const BREAK_GLASS_HEADER = 'Break-Glass-Grant';
/** Documents the route's Break-Glass-Grant header (the route calls PrivilegedAccess.require). */
export const Privileged = (operation: PrivilegedOperation) =>
  ApiHeader({ name: BREAK_GLASS_HEADER, required: true, description: `The id of an approved break-glass grant whose scope covers \`${operation}\` on this tenant (403 \`break-glass-required\` otherwise; the refusal is recorded)` });

const REASONS: Readonly<Record<Exclude<GrantUse, { allowed: true }>['reason'], string>> = {
  'no-grant': `names no grant (the ${BREAK_GLASS_HEADER} header)`,
  'unknown-grant': 'names a grant that does not exist',
  'not-approved': 'names a grant not approved yet',
  expired: 'names a grant whose window has closed',
  revoked: 'names a revoked grant',
  'not-the-requester': 'names a grant another person requested (a grant serves its requester only)',
  'tenant-out-of-scope': "names a grant whose scope does not include this tenant",
  'operation-out-of-scope': "names a grant whose scope does not include this operation",
};

@Injectable()
export class PrivilegedAccess {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  /** Records the use of the grant `header` names for `operation` on `tenantId`, or its refusal (403). */
  async require(operation: PrivilegedOperation, tenantId: string, header: string | undefined, caller: CallerContext | undefined): Promise<void> {
    if (caller === undefined) throw new ProblemException({ status: 403, detail: 'This route needs a caller.' });
    const grantId = typeof header === 'string' && header.trim() !== '' ? header.trim() : null;
    const use = await actAs(caller.subject, () => this.commands.execute(new UseGrantCommand(grantId, caller.subject, operation, tenantId)));
    if (use.allowed) return;
    throw new ProblemException({
      status: 403,
      type: 'urn:lethe:problem:break-glass-required',
      detail: `${operation} on tenant ${tenantId} needs an approved break-glass grant covering it, active now, in the ${BREAK_GLASS_HEADER} header; this call ${REASONS[use.reason]}. The refusal is recorded.`,
      extensions: { code: 'break-glass-required', operation, tenantId, grantId: use.grantId, reason: use.reason },
    });
  }
}
