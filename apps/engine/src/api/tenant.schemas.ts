// Request bodies of the tenant API, with the rules a caller is told when it breaks one.
import { HOLIDAY_TYPES, timeZoneOf } from '@lethe/calendar';
import { contractTerminatedSchema, DEFAULT_PITR_RETENTION_DAYS, externalIdSchema, instantSchema, type TenantStatus } from '@lethe/domain';
import { SHRED_STATUSES } from '@lethe/lifecycle';
import { z } from 'zod';
import { pitrRetentionDays } from './backup-policy.schema.js';
import { jurisdictionSchema, partialHolidaysSchema } from './calendars/calendar.schemas.js';
import { pageFields } from './paging.schema.js';

const ID_RULE = 'must be 1-63 lowercase letters, digits or hyphens, starting with a letter or digit';
export const idSchema = z.string({ message: 'is required' }).regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: ID_RULE });
const externalId = externalIdSchema;
const instant = instantSchema;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const onboardTenantSchema = z
  .strictObject({
    tenantId: idSchema,
    jurisdiction: jurisdictionSchema,
    timeZone: z.string().refine(isTimeZone, { message: 'must be an IANA time zone, e.g. Europe/London' }).optional(),
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
    rotationPeriodDays: z
      .number({ message: 'must be a whole number of days from 1 to 730' })
      .int({ message: 'must be a whole number of days from 1 to 730' })
      .min(1, { message: 'must be a whole number of days from 1 to 730' })
      .max(730, { message: 'must be at most 730 days (a key version may never be older than 2 years)' })
      .default(365),
    pitrRetentionDays: pitrRetentionDays.default(DEFAULT_PITR_RETENTION_DAYS),
    excludedHolidayTypes: z
      .array(z.enum(HOLIDAY_TYPES as unknown as [string, ...string[]], { message: `must be one of ${HOLIDAY_TYPES.join(', ')}` }))
      .min(1, { message: 'must list at least one holiday type' })
      .default(['public', 'bank']),
    partialHolidays: partialHolidaysSchema.default('working'),
  })
  .transform((t) => ({ ...t, timeZone: t.timeZone ?? timeZoneOf(t.jurisdiction) }));

/** The same schema checks a ContractTerminated appended straight into the contract stream. */
export const terminationSchema = contractTerminatedSchema;

export const deletionRequestSchema = z.strictObject({
  requestId: externalId,
  requestedAt: instant.optional(),
});

export const cancelShredSchema = z.strictObject({
  reason: z.string({ message: 'is required' }).trim().min(1, { message: 'must not be empty' }).max(500, { message: 'must be at most 500 characters' }),
});

export const listShredsQuery = z.strictObject({
  status: z.enum(SHRED_STATUSES, { message: `must be one of ${SHRED_STATUSES.join(', ')}` }).optional(),
  ...pageFields,
});

const TENANT_STATUSES = ['active', ...SHRED_STATUSES] as const satisfies readonly TenantStatus[];
export const listTenantsQuery = z.strictObject({
  status: z.enum(TENANT_STATUSES, { message: `must be one of ${TENANT_STATUSES.join(', ')}` }).optional(),
  jurisdiction: jurisdictionSchema.optional(),
  ...pageFields,
});

export const setClockSchema = z.strictObject({ now: instant });

const rotationPeriodDays = z
  .number({ message: 'must be a whole number of days from 1 to 730' })
  .int({ message: 'must be a whole number of days from 1 to 730' })
  .min(1, { message: 'must be a whole number of days from 1 to 730' })
  .max(730, { message: 'must be at most 730 days (a key version may never be older than 2 years)' });

export const patchTenantSchema = z
  .strictObject({ rotationPeriodDays: rotationPeriodDays.optional(), pitrRetentionDays: pitrRetentionDays.optional() })
  .refine((p) => p.rotationPeriodDays !== undefined || p.pitrRetentionDays !== undefined, {
    message: 'must name rotationPeriodDays, pitrRetentionDays or both',
    path: ['rotationPeriodDays'],
  });

export const addDatabaseSchema = z.strictObject({ databaseId: idSchema });

export const backupSchema = z.strictObject({
  backupId: externalId,
  databaseId: idSchema,
  kind: z.enum(['pitr', 'full', 'ltr'], { message: "must be 'pitr', 'full' or 'ltr'" }),
  coveredFrom: instant,
  takenAt: instant,
  expiresAt: instant,
});

export const backupRetentionSchema = z.strictObject({ expiresAt: instant });
export const backupIdSchema = externalId;
