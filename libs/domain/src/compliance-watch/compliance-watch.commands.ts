// The compliance watch's one command: here is what complianceOf found at `at`.
import type { Compliance } from '../compliance.js';

export interface JudgeCompliance {
  readonly type: 'JudgeCompliance';
  readonly data: { readonly tenantId: string; readonly compliance: Compliance; readonly at: string };
}

export type ComplianceWatchCommand = JudgeCompliance;
