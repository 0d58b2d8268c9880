// The one answer to a privileged operation refused for want of a grant, whichever route or use case
// refused it (PrivilegedAccess, or a backup kept past the maximum retention): 403 break-glass-required.
import type { BreakGlassRequiredError } from '@lethe/lifecycle';
import { ProblemException } from '../../http/index.js';

export const BREAK_GLASS_HEADER = 'Break-Glass-Grant';

const REASONS: Readonly<Record<BreakGlassRequiredError['reason'], string>> = {
  'no-grant': `names no grant (the ${BREAK_GLASS_HEADER} header)`,
  'unknown-grant': 'names a grant that does not exist',
  'not-approved': 'names a grant not approved yet',
  expired: 'names a grant that has expired (its window closed, or its request lapsed unapproved)',
  revoked: 'names a revoked grant',
  'not-the-requester': 'names a grant another person requested (a grant serves its requester only)',
  'tenant-out-of-scope': "names a grant whose scope does not include this tenant",
  'operation-out-of-scope': "names a grant whose scope does not include this operation",
};

/** 403 `break-glass-required`, naming the operation, the tenant, the grant (or null) and why it was refused. */
export function breakGlassRequiredProblem(error: BreakGlassRequiredError): ProblemException {
  const { operation, tenantId, grantId, reason } = error;
  return new ProblemException({
    status: 403,
    type: 'urn:lethe:problem:break-glass-required',
    detail: `${operation} on tenant ${tenantId} needs an approved break-glass grant covering it, active now, in the ${BREAK_GLASS_HEADER} header; this call ${REASONS[reason]}. The refusal is recorded.`,
    extensions: { code: 'break-glass-required', operation, tenantId, grantId, reason },
  });
}
