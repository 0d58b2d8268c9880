// The body of GET /v1/compliance: each promise's rule and its violations on this page, and the same
// violations as one list of items (with the promise each breaks) under the paging contract.
import type { ComplianceReport } from '@lethe/lifecycle';

const RULES = {
  P1: 'every active key has a version younger than its rotation period (client-held: 730 days)',
  P2: 'every database is on the newest key version within 24 hours of it appearing',
  P3: 'a superseded version is kept while a database or a live backup needs it and for the point-in-time window after its last use, then retired; no live backup needs a retired version',
} as const;

export function complianceBody(report: ComplianceReport) {
  return {
    at: report.at,
    items: [...report.P1.map((v) => ({ promise: 'P1', ...v })), ...report.P2.map((v) => ({ promise: 'P2', ...v })), ...report.P3.map((v) => ({ promise: 'P3', ...v }))],
    nextCursor: report.nextCursor,
    P1: { rule: RULES.P1, violations: report.P1 },
    P2: { rule: RULES.P2, violations: report.P2 },
    P3: { rule: RULES.P3, violations: report.P3 },
  };
}
