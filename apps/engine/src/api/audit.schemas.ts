// Query parameters of the audit routes, with the rules a caller is told when one is broken.
import { instantSchema, INSTANT_RANGES } from '@lethe/domain';
import { DEFAULT_TENANT_EVENTS_LIMIT, MAX_TENANT_EVENTS_LIMIT, SCHEDULE_KINDS, SCHEDULE_LISTING, TENANT_EVENTS_LISTING } from '@lethe/lifecycle';
import { CURSOR_RULE, decodeCursor, isCursorOf } from '@lethe/readmodel';
import { z } from 'zod';
import { pageFields } from './paging.schema.js';
import { wholeNumberQueryField } from './whole-number.schema.js';

const EVENTS_LIMIT_RULE = `must be a whole number from 1 to ${MAX_TENANT_EVENTS_LIMIT}`;

/** `after` decodes to the tenant id it was issued for and, per tenant stream, the revision to start at. */
export const tenantEventsQuery = z.strictObject({
  limit: wholeNumberQueryField({ min: 1, max: MAX_TENANT_EVENTS_LIMIT, fallback: DEFAULT_TENANT_EVENTS_LIMIT, rule: EVENTS_LIMIT_RULE }),
  after: z
    .string({ message: CURSOR_RULE })
    .refine((cursor) => isCursorOf(TENANT_EVENTS_LISTING, cursor), { message: CURSOR_RULE })
    .transform((cursor) => {
      const [tenantId, ...revisions] = decodeCursor(TENANT_EVENTS_LISTING.name, cursor, TENANT_EVENTS_LISTING.key);
      return { tenantId: tenantId as string, revisions: revisions as number[] };
    })
    .refine((cursor) => cursor.revisions.every((r) => Number.isSafeInteger(r) && r >= 0), { message: CURSOR_RULE })
    .optional()
    .describe("The previous page's nextCursor (opaque)"),
});

const KIND_RULE = `must be one of ${SCHEDULE_KINDS.join(', ')}`;

/**
 * `kind` is repeated for several kinds (`?kind=rotation&kind=retirement`, OpenAPI's form style);
 * `from` defaults to `now` (the engine's clock), so a `to` before now without `from` is refused too.
 */
export const scheduleQuery = (now: Date) =>
  z
    .strictObject({
      from: instantSchema(INSTANT_RANGES.horizon, now).optional().describe("Due at or after this instant; default: now on the engine's clock"),
      to: instantSchema(INSTANT_RANGES.horizon, now).optional().describe('Due strictly before this instant; default: no bound. Not before `from`'),
      kind: z
        .preprocess((value) => (typeof value === 'string' ? [value] : value), z.array(z.enum(SCHEDULE_KINDS, { message: KIND_RULE }), { message: KIND_RULE }))
        .optional()
        .describe(`Only timers of these kinds; repeat the parameter for several (${SCHEDULE_KINDS.join(', ')})`),
      ...pageFields(SCHEDULE_LISTING),
    })
    .superRefine((q, ctx) => {
      const from = q.from === undefined ? now : new Date(q.from);
      if (q.to !== undefined && Date.parse(q.to) < from.getTime()) {
        ctx.addIssue({ code: 'custom', path: ['to'], message: `must not be before from (${q.from === undefined ? 'default: now' : q.from})` });
      }
    });
