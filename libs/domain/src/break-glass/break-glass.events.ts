// Events of a break-glass grant (stream `break-glass-<grantId>`): time-bound privileged access, tied
// to a task, approved by K distinct approvers, every use and every refusal recorded. Subjects are the
// names the identities give (never a token); `taskRef` and `reason` are the requester's free text.
import type { DomainEvent } from '../shared/decider.js';

/** The operations only an active grant opens, as a grant's scope names them. */
export const PRIVILEGED_OPERATIONS = ['key-version.enable', 'shred.execute-now', 'backup.extend-retention', 'probe.read'] as const;
export type PrivilegedOperation = (typeof PRIVILEGED_OPERATIONS)[number];

export interface BreakGlassScope {
  readonly tenantIds: readonly string[];
  readonly operations: readonly PrivilegedOperation[];
}

export type BreakGlassRequested = DomainEvent<
  'BreakGlassRequested',
  {
    readonly grantId: string;
    readonly requestedBy: string;
    readonly taskRef: string;
    readonly reason: string;
    readonly scope: BreakGlassScope;
    readonly durationMinutes: number;
    /** The approvals it needs (LETHE_BREAK_GLASS_APPROVALS when requested). */
    readonly approvalsRequired: number;
    readonly at: string;
  }
>;

export type BreakGlassApproved = DomainEvent<'BreakGlassApproved', { readonly grantId: string; readonly approver: string; readonly at: string }>;

/** The K-th distinct approval: the window opens now and closes `durationMinutes` later. */
export type BreakGlassActivated = DomainEvent<'BreakGlassActivated', { readonly grantId: string; readonly activeFrom: string; readonly expiresAt: string; readonly at: string }>;

export type BreakGlassRevoked = DomainEvent<'BreakGlassRevoked', { readonly grantId: string; readonly by: string; readonly at: string }>;

/** Its window closed, or its request lapsed unapproved (REQUEST_LAPSE_HOURS): recorded by its timer. */
export type BreakGlassExpired = DomainEvent<'BreakGlassExpired', { readonly grantId: string; readonly at: string }>;

export type BreakGlassUsed = DomainEvent<
  'BreakGlassUsed',
  { readonly grantId: string; readonly by: string; readonly operation: PrivilegedOperation; readonly tenantId: string; readonly at: string }
>;

export const USE_REFUSALS = ['not-approved', 'expired', 'revoked', 'not-the-requester', 'tenant-out-of-scope', 'operation-out-of-scope', 'no-grant', 'unknown-grant'] as const;
export type UseRefusal = (typeof USE_REFUSALS)[number];

export type BreakGlassUseRefused = DomainEvent<
  'BreakGlassUseRefused',
  {
    /** null: the call named no grant (or one that does not exist), recorded in the tenant's `break-glass-refusals` stream. */
    readonly grantId: string | null;
    readonly by: string;
    readonly operation: PrivilegedOperation;
    readonly tenantId: string;
    readonly reason: UseRefusal;
    readonly at: string;
  }
>;

export type BreakGlassEvent = BreakGlassRequested | BreakGlassApproved | BreakGlassActivated | BreakGlassRevoked | BreakGlassExpired | BreakGlassUsed | BreakGlassUseRefused;
