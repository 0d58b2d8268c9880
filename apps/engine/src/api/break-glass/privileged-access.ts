// Operations only an active break-glass grant opens. The call names its grant in the
// Break-Glass-Grant header; the route passes it, with the caller, as a claim to its use case, which
// decides the operation's own refusals first (unknown tenant 404, nothing to do 404/409: nothing
// recorded), then has the grant's use or refusal recorded (PrivilegedUse), then acts. A refusal
// answers 403 naming the grant the call sent (or its absence) and why (BreakGlassRequiredError,
// answered by DomainErrorFilter). A bad request (400) is refused before the use case: nothing recorded.
import { ApiHeader } from '@nestjs/swagger';
import type { PrivilegedOperation } from '@lethe/domain';
import type { BreakGlassClaim } from '@lethe/lifecycle';
import { ProblemException, type CallerContext } from '../../http/index.js';
import { BREAK_GLASS_HEADER } from './break-glass-problem.js';

export { BREAK_GLASS_HEADER };

/** Documents the route's Break-Glass-Grant header (its use case requires the grant the header names). */
export const Privileged = (operation: PrivilegedOperation) =>
  ApiHeader({ name: BREAK_GLASS_HEADER, required: true, description: `The id of an approved break-glass grant whose scope covers \`${operation}\` on this tenant (403 \`break-glass-required\` otherwise; the refusal is recorded). Checked, and its use recorded, only once the operation itself is possible: an unknown tenant or a refusal of the operation answers as it would without a grant, and records nothing. A value that cannot be a grant id (a UUID) is a 400 naming the header.` });

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

/** The rule a Break-Glass-Grant header breaks when it is not a grant id. */
export const GRANT_HEADER_RULE = 'must be the id of a break-glass grant (a UUID, as POST /v1/break-glass answered it)';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The caller and the grant its Break-Glass-Grant header names (null without one); undefined without a
 * caller. A header that cannot be a grant id is bad input: 400 naming the header, nothing recorded
 * (and nothing of it echoed).
 */
export function breakGlassClaim(header: string | undefined, caller: CallerContext | undefined): BreakGlassClaim | undefined {
  const value = typeof header === 'string' ? header.trim() : '';
  if (value !== '' && !UUID.test(value)) throw ProblemException.badRequest('The Break-Glass-Grant header is not valid.', [{ field: BREAK_GLASS_HEADER, rule: GRANT_HEADER_RULE }]);
  if (caller === undefined) return undefined;
  return { by: caller.subject, grantId: value === '' ? null : value.toLowerCase() };
}
