// Request bodies of the tenant API, with the rules a caller is told when it breaks one.
import { HOLIDAY_TYPES, timeZoneOf } from '@lethe/calendar';
import {
  contractTerminatedSchema,
  DEFAULT_PITR_RETENTION_DAYS,
  DEFAULT_ROTATION_PERIOD_DAYS,
  externalIdSchema,
  instantSchema,
  INSTANT_RANGES,
  stringSchema,
  textSchema,
  SHRED_PROGRESS,
  TENANT_STATUSES,
} from '@lethe/domain';
import { SHREDS_LISTING, TENANTS_LISTING } from '@lethe/lifecycle';
import { z } from 'zod';
import { pitrRetentionDays, rotationPeriodDays } from './key-policy.schemas.js';
import { jurisdictionSchema, partialHolidaysSchema, timeZoneSchema } from './calendars/calendar.schemas.js';
import { pageFields } from './paging.schema.js';

const ID_RULE = 'must be 1-63 lowercase letters, digits or hyphens, starting with a letter or digit';
export const idSchema = stringSchema().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: ID_RULE });
const externalId = externalIdSchema;

export const onboardTenantSchema = z
  .strictObject({
    tenantId: idSchema,
    jurisdiction: jurisdictionSchema,
    timeZone: timeZoneSchema.optional(),
    keyCustody: z.enum(['managed', 'client'], { message: "must be 'managed' or 'client'" }),
    backupKeyMode: z.enum(['customer', 'platform'], { message: "must be 'customer' or 'platform'" }),
    databases: z
      .array(z.strictObject({ databaseId: idSchema }), { message: 'must be a list of {databaseId}' })
      .min(1, { message: 'must list at least 1 database' })
      .max(50, { message: 'must list at most 50 databases' })
      .superRefine((dbs, ctx) => {
        const seen = new Set<string>();
        dbs.forEach((db, i) => {
          if (seen.has(db.databaseId)) ctx.addIssue({ code: 'custom', path: [i, 'databaseId'], message: 'must be unique within the tenant' });
          seen.add(db.databaseId);
        });
      }),
    shredGraceWorkingDays: z
      .number({ message: 'must be a whole number from 0 to 4' })
      .int({ message: 'must be a whole number from 0 to 4' })
      .min(0, { message: 'must be a whole number from 0 to 4' })
      .max(4, { message: 'must be a whole number from 0 to 4' })
      .default(2),
    rotationPeriodDays: rotationPeriodDays.default(DEFAULT_ROTATION_PERIOD_DAYS),
    pitrRetentionDays: pitrRetentionDays.default(DEFAULT_PITR_RETENTION_DAYS),
    excludedHolidayTypes: z
      .array(z.enum(HOLIDAY_TYPES as unknown as [string, ...string[]], { message: `must be one of ${HOLIDAY_TYPES.join(', ')}` }))
      .min(1, { message: 'must list at least one holiday type' })
      .default(['public', 'bank']),
    partialHolidays: partialHolidaysSchema.default('working'),
  })
  .transform((t) => ({ ...t, timeZone: t.timeZone ?? timeZoneOf(t.jurisdiction) }));

// Schemas holding an instant are built from the clock's now of the request (see field-rules.ts).

/** The same schema checks a ContractTerminated appended straight into the contract stream. */
export const terminationSchema = contractTerminatedSchema;

/** `requestedAt`: when the tenant asked, so not in the future. */
export const deletionRequestSchema = (now: Date) =>
  z.strictObject({
    requestId: externalId,
    requestedAt: instantSchema(INSTANT_RANGES.past, now).optional(),
  });

export const cancelShredSchema = z.strictObject({ reason: textSchema({ nonEmpty: true }) });

export const listShredsQuery = z.strictObject({
  status: z.enum(SHRED_PROGRESS, { message: `must be one of ${SHRED_PROGRESS.join(', ')}` }).optional(),
  ...pageFields(SHREDS_LISTING),
});

export const listTenantsQuery = z.strictObject({
  status: z.enum(TENANT_STATUSES, { message: `must be one of ${TENANT_STATUSES.join(', ')}` }).optional(),
  jurisdiction: jurisdictionSchema.optional(),
  ...pageFields(TENANTS_LISTING),
});

export const setClockSchema = (now: Date) => z.strictObject({ now: instantSchema(INSTANT_RANGES.horizon, now) });

export const patchTenantSchema = z
  .strictObject({ rotationPeriodDays: rotationPeriodDays.optional(), pitrRetentionDays: pitrRetentionDays.optional() })
  .refine((p) => p.rotationPeriodDays !== undefined || p.pitrRetentionDays !== undefined, {
    message: 'must name rotationPeriodDays, pitrRetentionDays or both',
    path: ['rotationPeriodDays'],
  });

export const addDatabaseSchema = z.strictObject({ databaseId: idSchema });

/**
 * A backup already taken: `coveredFrom` and `takenAt` are not in the future; `expiresAt` at most a
 * century ahead. The order coveredFrom <= takenAt <= expiresAt is the key ring's rule (400 naming the field).
 */
export const backupSchema = (now: Date) =>
  z.strictObject({
    backupId: externalId,
    databaseId: idSchema,
    kind: z.enum(['pitr', 'full', 'ltr'], { message: "must be 'pitr', 'full' or 'ltr'" }),
    coveredFrom: instantSchema(INSTANT_RANGES.past, now),
    takenAt: instantSchema(INSTANT_RANGES.past, now),
    expiresAt: instantSchema(INSTANT_RANGES.horizon, now),
  });

export const backupRetentionSchema = (now: Date) => z.strictObject({ expiresAt: instantSchema(INSTANT_RANGES.horizon, now) });
export const backupIdSchema = externalId;
