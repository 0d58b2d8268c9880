// Request bodies of /v1/break-glass and the privileged routes, with the rules a caller is told.
import { externalIdSchema, GRANT_DURATION_RULE, GRANT_SCOPE_UNIQUE_RULE, GRANT_STATUSES, MAX_GRANT_MINUTES, MAX_GRANT_REASON, MAX_GRANT_TENANTS, MAX_TASK_REF, PRIVILEGED_OPERATIONS } from '@lethe/domain';
import { GRANTS_LISTING } from '@lethe/readmodel';
import { z } from 'zod';
import { pageFields } from '../paging.schema.js';
import { idSchema } from '../tenant.schemas.js';

const text = (max: number) =>
  z
    .string({ message: `must be 1-${max} characters` })
    .trim()
    .min(1, { message: `must be 1-${max} characters` })
    .max(max, { message: `must be 1-${max} characters` });

/** No entry twice (the domain's rule): the scope approvers see is exactly what was asked. */
const unique = (list: readonly unknown[]) => new Set(list).size === list.length;

export const requestGrantSchema = z.strictObject({
  taskRef: text(MAX_TASK_REF).describe('The task the access is for (a ticket or change id)'),
  reason: text(MAX_GRANT_REASON).describe('Why the access is needed'),
  scope: z.strictObject({
    tenantIds: z
      .array(idSchema, { message: `must be a list of 1-${MAX_GRANT_TENANTS} tenant ids` })
      .min(1, { message: `must be a list of 1-${MAX_GRANT_TENANTS} tenant ids` })
      .max(MAX_GRANT_TENANTS, { message: `must be a list of 1-${MAX_GRANT_TENANTS} tenant ids` })
      .refine(unique, { message: GRANT_SCOPE_UNIQUE_RULE }),
    operations: z
      .array(z.enum(PRIVILEGED_OPERATIONS, { message: `must be one of ${PRIVILEGED_OPERATIONS.join(', ')}` }), { message: `must be a list of ${PRIVILEGED_OPERATIONS.join(', ')}` })
      .min(1, { message: `must name at least one of ${PRIVILEGED_OPERATIONS.join(', ')}` })
      .refine(unique, { message: GRANT_SCOPE_UNIQUE_RULE }),
  }),
  durationMinutes: z
    .number({ message: GRANT_DURATION_RULE })
    .int({ message: GRANT_DURATION_RULE })
    .min(1, { message: GRANT_DURATION_RULE })
    .max(MAX_GRANT_MINUTES, { message: GRANT_DURATION_RULE })
    .describe('How long the grant stays active once approved (at most 4 hours)'),
});

export const grantIdSchema = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { message: 'must be a grant id (a lowercase UUID)' });

export const approveGrantSchema = z.strictObject({}).optional();

export const probeReadSchema = z.strictObject({ databaseId: idSchema.describe('The database whose sentinel to read') });

const GRANT_FILTERS = [...GRANT_STATUSES, 'active'] as const;

/** GET /v1/break-glass: a status (`active`: approved with its window open now) and the page. */
export const listGrantsQuery = z.strictObject({
  status: z.enum(GRANT_FILTERS, { message: `must be one of ${GRANT_FILTERS.join(', ')}` }).optional().describe('Only grants in this status; `active`: approved, window open now'),
  ...pageFields(GRANTS_LISTING),
});

/** A key version id as the vault names it (`key-version.enable`'s path). */
export const keyVersionIdSchema = externalIdSchema;
