// What the key ring routes answer (/v1/tenants/{id}: PATCH, keys, databases, backups, staging
// assets): the presenters (keys.presenter.ts) are typed with these schemas and the OpenAPI document
// shows them (@Answer), so the two cannot drift.
import { z } from 'zod';
import type { AnswerOf } from '../http/index.js';

const instant = z.string().describe('ISO 8601 instant, UTC');

export const policyAnswer = z.strictObject({ tenantId: z.string(), rotationPeriodDays: z.number().int(), pitrRetentionDays: z.number().int() });

export const rotatedAnswer = z.strictObject({ keyVersionId: z.string(), createdAt: instant });

export const keysAnswer = z.strictObject({
  tenantId: z.string(),
  keyCustody: z.string(),
  rotationPeriodDays: z.number().int(),
  pitrRetentionDays: z.number().int(),
  databases: z.array(z.strictObject({ databaseId: z.string(), keyVersionId: z.string().describe('The version protecting it now'), since: instant })),
  versions: z.array(
    z.strictObject({
      keyVersionId: z.string(),
      status: z.string().describe('`active`, `superseded`, `retired` (disabled in the vault) or `destroyed` (after its grace as a retired version, or by a shred)'),
      source: z.string().describe('`onboarding`, `policy`, `manual` or `detected`'),
      createdAt: instant,
      retainUntil: instant.nullable().describe('Usable at least until then (P3); null while in use'),
      retiredAt: instant.nullable(),
      enabledUntil: instant.nullable().describe('Enabled again under a break-glass grant (`key-version.enable`) until then, then retired again; null otherwise'),
      destroyAt: instant
        .nullable()
        .describe('While retired: destroyed in the vault then (retirement + LETHE_RETIRED_KEY_GRACE_DAYS) unless enabled again under break-glass before; null otherwise'),
      destroyedAt: instant.nullable().describe('Destroyed in the vault then, its grace as a retired version over; null otherwise'),
      backupCount: z.number().int(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const addedDatabaseAnswer = z.strictObject({ databaseId: z.string(), keyVersionId: z.string().describe('The version protecting it') });

const unrestorable = z.strictObject({ reason: z.string(), keyVersionIds: z.array(z.string()) }).nullable().describe('Recorded after a version it needs was retired: `{reason: key-version-retired, keyVersionIds}`');

const backupFields = {
  backupId: z.string(),
  databaseId: z.string(),
  kind: z.string().describe('`pitr`, `full` or `ltr`'),
  coveredFrom: instant,
  takenAt: instant,
  expiresAt: instant,
  deletedAt: instant.nullable(),
  protection: z.string().describe('`customer-key` or `platform-key`'),
  keyVersionIds: z.array(z.string()).describe('The versions it needs; empty for a platform-key backup'),
  unrestorable,
};

/** A backup as the key ring has it after the command, or `{backupId, archived: true}` once archived. */
export const backupAnswer = z.union([
  z.strictObject({ ...backupFields, restoreKeyVersionId: z.string().nullable() }),
  z.strictObject({ backupId: z.string(), archived: z.literal(true) }),
]);

export const backupPageAnswer = z.strictObject({
  items: z.array(
    z.strictObject({
      ...backupFields,
      retentionGrantId: z
        .string()
        .nullable()
        .describe('The break-glass grant (backup.extend-retention) its retention was last extended past the maximum under (LETHE_BACKUP_RETENTION_MAX_DAYS); null: never'),
      status: z.string(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const restoreCheckAnswer = z.strictObject({
  protection: z.string(),
  restorable: z.boolean(),
  keyVersionId: z.string().nullable(),
  reason: z.string().optional().describe('When not restorable: `key-version-disabled` (retired, in its grace), `key-version-retired`, `key-version-destroyed`, `asset-purged`, `backup-deleted`, …'),
  detail: z.string().optional(),
});

export const stagingAssetAnswer = z.strictObject({ assetId: z.string(), expiresAt: instant.nullable(), registeredAt: instant });
export const stagingAssetsAnswer = z.strictObject({ stagingAssets: z.array(stagingAssetAnswer) });

export type PolicyAnswer = AnswerOf<typeof policyAnswer>;
export type RotatedAnswer = AnswerOf<typeof rotatedAnswer>;
export type KeysAnswer = AnswerOf<typeof keysAnswer>;
export type AddedDatabaseAnswer = AnswerOf<typeof addedDatabaseAnswer>;
export type BackupAnswer = AnswerOf<typeof backupAnswer>;
export type BackupPageAnswer = AnswerOf<typeof backupPageAnswer>;
export type RestoreCheckAnswer = AnswerOf<typeof restoreCheckAnswer>;
export type StagingAssetAnswer = AnswerOf<typeof stagingAssetAnswer>;
export type StagingAssetsAnswer = AnswerOf<typeof stagingAssetsAnswer>;

const BACKUP = {
  backupId: 'b-1',
  databaseId: 'orders',
  kind: 'full',
  coveredFrom: '2026-12-20T00:00:00.000Z',
  takenAt: '2026-12-21T08:00:00.000Z',
  expiresAt: '2027-03-01T00:00:00.000Z',
  deletedAt: null,
  protection: 'customer-key',
  keyVersionIds: ['acme-v1'],
  unrestorable: null,
};

export const EXAMPLES = {
  policy: { tenantId: 'acme', rotationPeriodDays: 90, pitrRetentionDays: 35 },
  rotated: { keyVersionId: 'acme-v2', createdAt: '2026-12-21T09:00:00.000Z' },
  keys: {
    tenantId: 'acme',
    keyCustody: 'managed',
    rotationPeriodDays: 365,
    pitrRetentionDays: 35,
    databases: [{ databaseId: 'orders', keyVersionId: 'acme-v1', since: '2026-12-21T09:00:00.000Z' }],
    versions: [{ keyVersionId: 'acme-v1', status: 'active', source: 'onboarding', createdAt: '2026-12-21T09:00:00.000Z', retainUntil: null, retiredAt: null, enabledUntil: null, destroyAt: null, destroyedAt: null, backupCount: 1 }],
    nextCursor: null,
  },
  addedDatabase: { databaseId: 'billing', keyVersionId: 'acme-v1' },
  backup: { ...BACKUP, restoreKeyVersionId: 'acme-v1' },
  backupPage: { items: [{ ...BACKUP, retentionGrantId: null, status: 'live' }], nextCursor: null },
  restoreCheck: { protection: 'customer-key', restorable: true, keyVersionId: 'acme-v1' },
  stagingAsset: { assetId: 'export-2026-12', expiresAt: '2027-01-31T00:00:00.000Z', registeredAt: '2026-12-21T09:00:00.000Z' },
} as const;
