// Decisions of a break-glass grant: requested by one subject, approved by K distinct others (never by
// the requester) within REQUEST_LAPSE_HOURS, active from the K-th approval for its duration,
// revocable, expired by its timer (at the end of its window, or when the request lapsed unapproved).
// A use is decided here too, so that a refusal is recorded like a use (both are events).
import { DomainError, type Decider } from '../shared/decider.js';
import type { BreakGlassCommand } from './break-glass.commands.js';
import { PRIVILEGED_OPERATIONS, type BreakGlassEvent, type UseRefusal } from './break-glass.events.js';
import { evolveBreakGlass, hasLapsedAt, initialBreakGlassState, isActiveAt, REQUEST_LAPSE_HOURS, requestLapsesAt, type BreakGlassState, type GrantState } from './break-glass.state.js';

export interface BreakGlassContext {
  readonly now: Date;
  /** LETHE_BREAK_GLASS_APPROVALS: distinct approvals a new grant needs. */
  readonly requiredApprovals: number;
}

/** A grant lasts at most 4 hours from its activation. */
export const MAX_GRANT_MINUTES = 240;
export const GRANT_DURATION_RULE = `must be a whole number of minutes from 1 to ${MAX_GRANT_MINUTES} (4 hours)`;
export const MAX_TASK_REF = 200;
export const MAX_GRANT_REASON = 1000;
export const MAX_GRANT_TENANTS = 50;
/** A grant's scope names each tenant and each operation once. */
export const GRANT_SCOPE_UNIQUE_RULE = 'must not name the same entry twice';

function requireGrant(state: BreakGlassState): GrantState {
  if (!state.exists) throw new DomainError('grant-not-found', 'break-glass grant not found');
  return state;
}

/** Why `state` does not cover this use at `now`, or null when it does. */
export function refusalOf(state: GrantState, by: string, operation: string, tenantId: string, now: Date): UseRefusal | null {
  if (state.status === 'revoked') return 'revoked';
  if (state.status === 'expired' || (state.status === 'approved' && !isActiveAt(state, now)) || hasLapsedAt(state, now)) return 'expired';
  if (state.status !== 'approved') return 'not-approved';
  // Approved for the task of the person who asked: another operator holding the grant's id (any
  // ops-reader can list them) must not get round the approvers.
  if (by !== state.requestedBy) return 'not-the-requester';
  if (!state.scope.tenantIds.includes(tenantId)) return 'tenant-out-of-scope';
  if (!(state.scope.operations as readonly string[]).includes(operation)) return 'operation-out-of-scope';
  return null;
}

export function decideBreakGlass(command: BreakGlassCommand, state: BreakGlassState, ctx: BreakGlassContext): BreakGlassEvent[] {
  const at = ctx.now.toISOString();
  switch (command.type) {
    case 'RequestBreakGlass': {
      const d = command.data;
      if (state.exists) throw new DomainError('grant-exists', `break-glass grant ${d.grantId} exists`);
      const taskRef = d.taskRef.trim();
      const reason = d.reason.trim();
      if (taskRef === '' || taskRef.length > MAX_TASK_REF) throw new DomainError('invalid-grant', `must be 1-${MAX_TASK_REF} characters`, 'taskRef');
      if (reason === '' || reason.length > MAX_GRANT_REASON) throw new DomainError('invalid-grant', `must be 1-${MAX_GRANT_REASON} characters`, 'reason');
      if (!Number.isInteger(d.durationMinutes) || d.durationMinutes < 1 || d.durationMinutes > MAX_GRANT_MINUTES) {
        throw new DomainError('invalid-grant', GRANT_DURATION_RULE, 'durationMinutes');
      }
      const { tenantIds, operations } = d.scope;
      if (tenantIds.length === 0 || tenantIds.length > MAX_GRANT_TENANTS) throw new DomainError('invalid-grant', `must name 1-${MAX_GRANT_TENANTS} tenants`, 'scope.tenantIds');
      // A repeated entry is a mistake in what the approvers are shown, not something to tidy silently.
      if (new Set(tenantIds).size !== tenantIds.length) throw new DomainError('invalid-grant', GRANT_SCOPE_UNIQUE_RULE, 'scope.tenantIds');
      if (operations.length === 0 || operations.some((o) => !(PRIVILEGED_OPERATIONS as readonly string[]).includes(o))) {
        throw new DomainError('invalid-grant', `must name at least one of ${PRIVILEGED_OPERATIONS.join(', ')}`, 'scope.operations');
      }
      if (new Set(operations).size !== operations.length) throw new DomainError('invalid-grant', GRANT_SCOPE_UNIQUE_RULE, 'scope.operations');
      return [
        {
          type: 'BreakGlassRequested',
          data: { grantId: d.grantId, requestedBy: d.requestedBy, taskRef, reason, scope: { tenantIds, operations }, durationMinutes: d.durationMinutes, approvalsRequired: ctx.requiredApprovals, at },
        },
      ];
    }
    case 'ApproveBreakGlass': {
      const grant = requireGrant(state);
      const { approver } = command.data;
      if (approver === grant.requestedBy) throw new DomainError('break-glass-self-approval', `${approver} requested grant ${grant.grantId} and may not approve it`);
      if (grant.status === 'revoked' || grant.status === 'expired') throw new DomainError('grant-closed', `break-glass grant ${grant.grantId} is ${grant.status}`);
      // Lapsed, whether or not its timer has recorded it yet.
      if (hasLapsedAt(grant, ctx.now)) {
        throw new DomainError('grant-closed', `break-glass grant ${grant.grantId} lapsed at ${requestLapsesAt(grant)}: a request not approved within ${REQUEST_LAPSE_HOURS} hours expires`);
      }
      // The same approver again (a retry) changes nothing: approvals count distinct subjects.
      if (grant.approvers.some((a) => a.subject === approver)) return [];
      const approved: BreakGlassEvent = { type: 'BreakGlassApproved', data: { grantId: grant.grantId, approver, at } };
      if (grant.status === 'approved' || grant.approvers.length + 1 < grant.approvalsRequired) return [approved];
      const expiresAt = new Date(ctx.now.getTime() + grant.durationMinutes * 60_000).toISOString();
      return [approved, { type: 'BreakGlassActivated', data: { grantId: grant.grantId, activeFrom: at, expiresAt, at } }];
    }
    case 'RevokeBreakGlass': {
      const grant = requireGrant(state);
      if (grant.status === 'revoked' || grant.status === 'expired') return [];
      return [{ type: 'BreakGlassRevoked', data: { grantId: grant.grantId, by: command.data.by, at } }];
    }
    case 'ExpireBreakGlass': {
      // The window closed, or the request lapsed unapproved; otherwise (revoked, already expired, a
      // timer early or outlived by an approval) nothing.
      if (!state.exists) return [];
      const windowClosed = state.status === 'approved' && !isActiveAt(state, ctx.now);
      if (!windowClosed && !hasLapsedAt(state, ctx.now)) return [];
      return [{ type: 'BreakGlassExpired', data: { grantId: state.grantId, at } }];
    }
    case 'UseBreakGlass': {
      const grant = requireGrant(state);
      const { by, operation, tenantId } = command.data;
      const refusal = refusalOf(grant, by, operation, tenantId, ctx.now);
      return refusal === null
        ? [{ type: 'BreakGlassUsed', data: { grantId: grant.grantId, by, operation, tenantId, at } }]
        : [{ type: 'BreakGlassUseRefused', data: { grantId: grant.grantId, by, operation, tenantId, reason: refusal, at } }];
    }
  }
}

export const breakGlassDecider: Decider<BreakGlassCommand, BreakGlassEvent, BreakGlassState, BreakGlassContext> = {
  initialState: initialBreakGlassState,
  evolve: evolveBreakGlass,
  decide: decideBreakGlass,
};
