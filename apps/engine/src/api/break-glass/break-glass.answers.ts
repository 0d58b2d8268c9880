// What /v1/break-glass and the privileged routes answer (typed presenters, shown by @Answer).
import { GRANT_STATUSES, PRIVILEGED_OPERATIONS, REQUEST_LAPSE_HOURS } from '@lethe/domain';
import { z } from 'zod';
import type { AnswerOf } from '../../http/index.js';
import { page } from '../tenant.answers.js';

const instant = z.string().describe('ISO 8601 instant, UTC');

export const grantAnswer = z.strictObject({
  grantId: z.string(),
  status: z
    .enum(GRANT_STATUSES)
    .describe(`\`requested\`, \`approved\` (once enough distinct approvers approved), \`revoked\` or \`expired\` (its window closed, or it was not approved within ${REQUEST_LAPSE_HOURS} hours of the request)`),
  active: z.boolean().describe('Approved and inside its window now: privileged calls naming it in Break-Glass-Grant pass'),
  requestedBy: z.string(),
  taskRef: z.string(),
  reason: z.string(),
  scope: z.strictObject({ tenantIds: z.array(z.string()), operations: z.array(z.enum(PRIVILEGED_OPERATIONS)) }),
  durationMinutes: z.number().int(),
  approvalsRequired: z.number().int(),
  approvals: z.array(z.strictObject({ approver: z.string(), at: instant })),
  requestedAt: instant,
  approveBy: instant.describe(`requestedAt + ${REQUEST_LAPSE_HOURS} hours: a request not approved by then lapses (\`expired\`), and approvals from then on answer 409 \`grant-closed\``),
  activeFrom: instant.nullable(),
  expiresAt: instant.nullable(),
  revokedAt: instant.nullable(),
  revokedBy: z.string().nullable(),
  expiredAt: instant.nullable(),
  uses: z.number().int().describe('Privileged calls that used it'),
  refusals: z.number().int().describe('Privileged calls naming it that it did not cover'),
});
export type GrantAnswer = AnswerOf<typeof grantAnswer>;

export const grantUsesAnswer = z.strictObject({
  items: z
    .array(
      z.strictObject({
        outcome: z.enum(['used', 'refused']),
        by: z.string().describe("The caller's subject"),
        tenantId: z.string(),
        operation: z.enum(PRIVILEGED_OPERATIONS),
        reason: z.string().nullable().describe('Why it was refused (`not-approved`, `expired`, `revoked`, `not-the-requester`, `tenant-out-of-scope`, `operation-out-of-scope`); null for a use'),
        at: instant,
      }),
    )
    .describe('Every privileged call that named the grant, oldest first'),
});

export const grantCreatedAnswer = z.strictObject({ grantId: z.string(), status: z.literal('requested') });
export const grantListAnswer = page(grantAnswer);

export const probeReadAnswer = z.strictObject({
  tenantId: z.string(),
  databaseId: z.string(),
  outcome: z.string().describe("The read probe's outcome, as a shred's verification records it"),
  detail: z.string(),
  at: instant,
});

export const shredForcedAnswer = z.strictObject({
  tenantId: z.string(),
  shredId: z.string(),
  executeAt: instant.describe('Now (or when it was already due): its execution timer fires at once'),
  deadline: instant.describe('Unchanged (P4)'),
});

export const keyVersionEnabledAnswer = z.strictObject({
  tenantId: z.string(),
  keyVersionId: z.string(),
  status: z.literal('superseded').describe('Superseded again: it wraps and unwraps in the vault'),
  enabledUntil: instant.describe("The grant's window end: the version is retired (disabled and destroyed in the vault) again then"),
});

const GRANT = {
  grantId: '3f0c9a57-2d1e-4b6a-9c8d-7e6f5a4b3c2d',
  status: 'approved',
  active: true,
  requestedBy: 'olga',
  taskRef: 'INC-4711',
  reason: 'verify the restored database of acme',
  scope: { tenantIds: ['acme'], operations: ['probe.read'] },
  durationMinutes: 60,
  approvalsRequired: 2,
  approvals: [
    { approver: 'ann', at: '2027-05-03T09:05:00.000Z' },
    { approver: 'ben', at: '2027-05-03T09:07:00.000Z' },
  ],
  requestedAt: '2027-05-03T09:00:00.000Z',
  approveBy: '2027-05-04T09:00:00.000Z',
  activeFrom: '2027-05-03T09:07:00.000Z',
  expiresAt: '2027-05-03T10:07:00.000Z',
  revokedAt: null,
  revokedBy: null,
  expiredAt: null,
  uses: 1,
  refusals: 0,
} as const;

export const EXAMPLES = {
  grant: GRANT,
  created: { grantId: GRANT.grantId, status: 'requested' },
  list: { items: [GRANT], nextCursor: null },
  uses: {
    items: [
      { outcome: 'used', by: 'olga', tenantId: 'acme', operation: 'probe.read', reason: null, at: '2027-05-03T09:10:00.000Z' },
      { outcome: 'refused', by: 'oscar', tenantId: 'acme', operation: 'probe.read', reason: 'not-the-requester', at: '2027-05-03T09:12:00.000Z' },
    ],
  },
  shredForced: { tenantId: 'acme', shredId: 'termination:t-1', executeAt: '2027-05-03T09:10:00.000Z', deadline: '2027-05-10T21:59:59.999Z' },
  keyVersionEnabled: { tenantId: 'acme', keyVersionId: 'acme-v1', status: 'superseded', enabledUntil: '2027-05-03T11:10:00.000Z' },
  probeRead: { tenantId: 'acme', databaseId: 'db-1', outcome: 'readable', detail: 'sentinel read', at: '2027-05-03T09:10:00.000Z' },
} as const;
