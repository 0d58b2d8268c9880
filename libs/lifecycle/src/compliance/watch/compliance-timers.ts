// The compliance watch's durable timer: one per tenant (lethe_deadlines kind `compliance-check`), at
// the next instant its compliance may change with no new event (nextComplianceCheckAt).
export const COMPLIANCE_CHECK = 'compliance-check';
export const complianceCheckTimerId = (tenantId: string) => `${COMPLIANCE_CHECK}:${tenantId}`;
export interface ComplianceTimerPayload {
  readonly tenantId: string;
}
