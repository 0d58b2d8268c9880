// The body of GET /v1/compliance: each promise's rule and its violations on this page, and the same
// violations as one list of items (with the promise each breaks) under the paging contract.
import { PROMISE_RULES as RULES } from '@lethe/domain';
import type { ComplianceReport } from '@lethe/lifecycle';
import type { ComplianceAnswer } from './system.answers.js';

export function complianceBody(report: ComplianceReport): ComplianceAnswer {
  return {
    at: report.at,
    items: [...report.P1.map((v) => ({ promise: 'P1' as const, ...v })), ...report.P2.map((v) => ({ promise: 'P2' as const, ...v })), ...report.P3.map((v) => ({ promise: 'P3' as const, ...v }))],
    nextCursor: report.nextCursor,
    P1: { rule: RULES.P1, violations: report.P1 },
    P2: { rule: RULES.P2, violations: report.P2 },
    P3: { rule: RULES.P3, violations: report.P3 },
  };
}
