// What a grant remembers. `approved` is the stored status once K distinct approvers approved; whether
// it is active also depends on now (before `expiresAt`): activeAt says so.
import type { BreakGlassEvent, BreakGlassScope } from './break-glass.events.js';

export const GRANT_STATUSES = ['requested', 'approved', 'revoked', 'expired'] as const;
export type GrantStatus = (typeof GRANT_STATUSES)[number];

export interface GrantState {
  readonly grantId: string;
  readonly status: GrantStatus;
  readonly requestedBy: string;
  readonly taskRef: string;
  readonly reason: string;
  readonly scope: BreakGlassScope;
  readonly durationMinutes: number;
  readonly approvalsRequired: number;
  readonly requestedAt: string;
  readonly approvers: readonly { readonly subject: string; readonly at: string }[];
  readonly activeFrom: string | null;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
  readonly expiredAt: string | null;
  readonly uses: number;
  readonly refusals: number;
}

export type BreakGlassState = { readonly exists: false } | ({ readonly exists: true } & GrantState);

/** The version of BreakGlassState's shape and of evolveBreakGlass: raise it with either (snapshots). */
export const BREAK_GLASS_STATE_VERSION = 1;

export const initialBreakGlassState: BreakGlassState = { exists: false };

export function evolveBreakGlass(state: BreakGlassState, event: BreakGlassEvent): BreakGlassState {
  if (event.type === 'BreakGlassRequested') {
    const d = event.data;
    return {
      exists: true,
      grantId: d.grantId,
      status: 'requested',
      requestedBy: d.requestedBy,
      taskRef: d.taskRef,
      reason: d.reason,
      scope: d.scope,
      durationMinutes: d.durationMinutes,
      approvalsRequired: d.approvalsRequired,
      requestedAt: d.at,
      approvers: [],
      activeFrom: null,
      expiresAt: null,
      revokedAt: null,
      revokedBy: null,
      expiredAt: null,
      uses: 0,
      refusals: 0,
    };
  }
  if (!state.exists) return state;
  switch (event.type) {
    case 'BreakGlassApproved':
      return { ...state, approvers: [...state.approvers, { subject: event.data.approver, at: event.data.at }] };
    case 'BreakGlassActivated':
      return { ...state, status: 'approved', activeFrom: event.data.activeFrom, expiresAt: event.data.expiresAt };
    case 'BreakGlassRevoked':
      return { ...state, status: 'revoked', revokedAt: event.data.at, revokedBy: event.data.by };
    case 'BreakGlassExpired':
      return { ...state, status: 'expired', expiredAt: event.data.at };
    case 'BreakGlassUsed':
      return { ...state, uses: state.uses + 1 };
    case 'BreakGlassUseRefused':
      return { ...state, refusals: state.refusals + 1 };
  }
}

/**
 * A request not approved within this many hours of being requested lapses (status `expired`): an
 * approval weeks later would open access for a task whose moment has passed, on approvals given
 * without the requester's context still fresh. Enforced by the decider (an approval or a use after
 * the instant is refused) and by a durable timer that records the lapse.
 */
export const REQUEST_LAPSE_HOURS = 24;

/** ISO 8601 instant at which `grant`, if still not approved, lapses: requestedAt + REQUEST_LAPSE_HOURS. */
export function requestLapsesAt(grant: Pick<GrantState, 'requestedAt'>): string {
  return new Date(Date.parse(grant.requestedAt) + REQUEST_LAPSE_HOURS * 60 * 60_000).toISOString();
}

/** Still `requested` (not approved, revoked or expired) and `now` at or past its lapse instant. */
export function hasLapsedAt(state: GrantState, now: Date): boolean {
  return state.status === 'requested' && now.getTime() >= Date.parse(requestLapsesAt(state));
}

/** Approved, and `now` inside its window. */
export function isActiveAt(state: GrantState, now: Date): boolean {
  return state.status === 'approved' && state.expiresAt !== null && now.getTime() < Date.parse(state.expiresAt);
}
