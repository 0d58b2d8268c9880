// What /v1/tenants and /v1/shreds answer: the presenters (tenant.presenter.ts) are typed with these
// schemas and the OpenAPI document shows them (@Answer), so the two cannot drift.
import { SHRED_PROGRESS, TENANT_STATUSES } from '@lethe/domain';
import { z } from 'zod';
import type { AnswerOf } from '../http/index.js';

const instant = z.string().describe('ISO 8601 instant, UTC');
/** A page of a list route (paging.schema.ts): its items and the cursor of the next page. */
export const page = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item), nextCursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last') });

export const shredViewAnswer = z.strictObject({
  shredId: z.string(),
  status: z.enum(SHRED_PROGRESS),
  trigger: z.union([
    z.strictObject({ kind: z.literal('termination'), terminationId: z.string(), contractId: z.string(), reason: z.string().optional() }),
    z.strictObject({ kind: z.literal('deletion-request'), requestId: z.string(), requestedAt: instant.optional() }),
  ]),
  effectiveAt: instant,
  deadline: instant.describe('5 working days after effectiveAt (P4)'),
  executeAt: instant,
  executedAt: instant.nullable(),
  keysDestroyedAt: instant.nullable(),
  assetsPurgedAt: instant.nullable(),
  keyMaterialPurgedAt: instant.nullable().describe("When the vault had purged every destroyed key version's material (at destroy, or confirmed later for a vault that soft-deletes)"),
  keyMaterialPurgeExpectedAt: instant.nullable().describe('Until then, when the vault is expected to purge it (e.g. Azure Key Vault at the end of its soft-delete retention); null if purged or no date is known'),
  verifiedAt: instant.nullable(),
  cancelledAt: instant.nullable(),
  probeAttempts: z.number().int(),
  breaches: z.array(z.strictObject({ cause: z.string(), at: instant })),
});

/** A tenant: the 201 of onboarding, GET /v1/tenants/{id} and each item of GET /v1/tenants. */
export const tenantAnswer = z.strictObject({
  tenantId: z.string(),
  status: z.enum(TENANT_STATUSES),
  jurisdiction: z.string(),
  timeZone: z.string(),
  keyCustody: z.string().describe('`managed` or `client`'),
  backupKeyMode: z.string().describe('`customer` or `platform`'),
  shredGraceWorkingDays: z.number().int(),
  excludedHolidayTypes: z.array(z.string()),
  partialHolidays: z.string().describe('`working` or `off`'),
  databases: z.array(z.strictObject({ databaseId: z.string() })),
  onboardedAt: instant,
  shred: shredViewAnswer.nullable().describe('The current (or last cancelled) shred; null if none'),
});
export type TenantAnswer = AnswerOf<typeof tenantAnswer>;

export const tenantPageAnswer = page(tenantAnswer);
export type TenantPageAnswer = AnswerOf<typeof tenantPageAnswer>;

export const shredPageAnswer = page(shredViewAnswer.extend({ tenantId: z.string() }));
export type ShredPageAnswer = AnswerOf<typeof shredPageAnswer>;

/** A termination's or deletion request's answer (202). */
export const shredScheduleAnswer = z.strictObject({
  outcome: z.enum(['scheduled', 'already-scheduled', 'already-shredded', 'withdrawn']),
  shredId: z.string(),
  deadline: instant,
  executeAt: instant,
  lateNotification: z.boolean().describe('The notice arrived after its deadline: executed at once, recorded as a breach'),
});

export const cancelAnswer = z.strictObject({
  tenantId: z.string(),
  status: z.enum(TENANT_STATUSES),
  shred: z.strictObject({ shredId: z.string(), status: z.enum(SHRED_PROGRESS), cancelledAt: instant.nullable() }),
  cancelledAt: instant.nullable(),
});

export type ShredScheduleAnswer = AnswerOf<typeof shredScheduleAnswer>;
export type CancelAnswer = AnswerOf<typeof cancelAnswer>;

/** The signed deletion certificate, served byte for byte as issued. */
export const certificateAnswer = z.looseObject({
  certificate: z.looseObject({ format: z.string(), certificateId: z.string(), issuedAt: instant, signingKeyId: z.string(), tenantId: z.string(), shredId: z.string(), deadline: instant, verifiedAt: instant, verifiedWithinDeadline: z.boolean() }),
  signature: z.strictObject({ algorithm: z.literal('Ed25519'), keyId: z.string(), value: z.string().describe('base64 signature over the canonical certificate bytes') }),
});

const EXAMPLE_SHRED = {
  shredId: 'termination:t-1',
  status: 'shred-scheduled',
  trigger: { kind: 'termination', terminationId: 't-1', contractId: 'c-1' },
  effectiveAt: '2026-12-23T17:00:00.000Z',
  deadline: '2027-01-04T23:59:59.999Z',
  executeAt: '2026-12-29T23:59:59.999Z',
  executedAt: null,
  keysDestroyedAt: null,
  assetsPurgedAt: null,
  keyMaterialPurgedAt: null,
  keyMaterialPurgeExpectedAt: null,
  verifiedAt: null,
  cancelledAt: null,
  probeAttempts: 0,
  breaches: [],
} as const;

export const EXAMPLES = {
  tenant: {
    tenantId: 'acme',
    status: 'active',
    jurisdiction: 'GB-ENG',
    timeZone: 'Europe/London',
    keyCustody: 'managed',
    backupKeyMode: 'platform',
    shredGraceWorkingDays: 2,
    excludedHolidayTypes: ['public', 'bank'],
    partialHolidays: 'working',
    databases: [{ databaseId: 'orders' }],
    onboardedAt: '2026-12-21T09:00:00.000Z',
    shred: null,
  },
  shred: EXAMPLE_SHRED,
  shredSchedule: { outcome: 'scheduled', shredId: 'termination:t-1', deadline: '2027-01-04T23:59:59.999Z', executeAt: '2026-12-29T23:59:59.999Z', lateNotification: false },
  cancel: { tenantId: 'acme', status: 'active', shred: { shredId: 'termination:t-1', status: 'cancelled', cancelledAt: '2026-12-22T10:00:00.000Z' }, cancelledAt: '2026-12-22T10:00:00.000Z' },
  certificate: {
    certificate: {
      format: 'lethe-deletion-certificate/v3',
      certificateId: 'cert-…',
      issuedAt: '2026-12-30T00:00:05.000Z',
      signingKeyId: 'ed25519:…',
      tenantId: 'acme',
      shredId: 'termination:t-1',
      deadline: '2027-01-04T23:59:59.999Z',
      verifiedAt: '2026-12-30T00:00:03.000Z',
      verifiedWithinDeadline: true,
      keyMaterial: { unusableAt: '2026-12-30T00:00:01.000Z', purgedAt: null, purgeExpectedAt: '2027-03-30T00:00:01.000Z' },
    },
    signature: { algorithm: 'Ed25519', keyId: 'ed25519:…', value: 'base64…' },
  },
} as const;
