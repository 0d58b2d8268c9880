import { isActiveAt, requestLapsesAt, type GrantState } from '@lethe/domain';
import type { GrantAnswer } from './break-glass.answers.js';

/** A grant as the API shows it; `active` on the engine's clock now (an expiry the timer has not recorded yet counts). */
export function grantBody(grant: GrantState, now: Date): GrantAnswer {
  return {
    grantId: grant.grantId,
    status: grant.status,
    active: isActiveAt(grant, now),
    requestedBy: grant.requestedBy,
    taskRef: grant.taskRef,
    reason: grant.reason,
    scope: grant.scope,
    durationMinutes: grant.durationMinutes,
    approvalsRequired: grant.approvalsRequired,
    approvals: grant.approvers.map((a) => ({ approver: a.subject, at: a.at })),
    requestedAt: grant.requestedAt,
    approveBy: requestLapsesAt(grant),
    activeFrom: grant.activeFrom,
    expiresAt: grant.expiresAt,
    revokedAt: grant.revokedAt,
    revokedBy: grant.revokedBy,
    expiredAt: grant.expiredAt,
    uses: grant.uses,
    refusals: grant.refusals,
  };
}
