import type { BreakGlassScope, PrivilegedOperation } from './break-glass.events.js';

export interface RequestBreakGlass {
  readonly type: 'RequestBreakGlass';
  readonly data: { readonly grantId: string; readonly requestedBy: string; readonly taskRef: string; readonly reason: string; readonly scope: BreakGlassScope; readonly durationMinutes: number };
}

export interface ApproveBreakGlass {
  readonly type: 'ApproveBreakGlass';
  readonly data: { readonly approver: string };
}

export interface RevokeBreakGlass {
  readonly type: 'RevokeBreakGlass';
  readonly data: { readonly by: string };
}

export interface ExpireBreakGlass {
  readonly type: 'ExpireBreakGlass';
  readonly data: Record<string, never>;
}

/** A privileged call naming this grant: recorded as a use, or as a refusal with its reason. */
export interface UseBreakGlass {
  readonly type: 'UseBreakGlass';
  readonly data: { readonly by: string; readonly operation: PrivilegedOperation; readonly tenantId: string };
}

export type BreakGlassCommand = RequestBreakGlass | ApproveBreakGlass | RevokeBreakGlass | ExpireBreakGlass | UseBreakGlass;
