// Inputs of the calendar API (and the jurisdiction rule onboarding shares), with the rules a caller is told
// when it breaks one.
import { isLocalDate, MAX_WORKING_DAYS, parseJurisdiction, UnknownJurisdictionError } from '@lethe/calendar';
import { z } from 'zod';

const JURISDICTION_RULE = 'must be a jurisdiction date-holidays knows: an ISO 3166 country, optionally with a subdivision and a region (GB, GB-SCT, DE-BY, DE-BY-KATH)';

/** A jurisdiction code; an unknown one is refused naming close valid codes. */
export const jurisdictionSchema = z.string({ message: 'is required' }).superRefine((code, ctx) => {
  try {
    parseJurisdiction(code);
  } catch (error) {
    const close = error instanceof UnknownJurisdictionError ? error.suggestions : [];
    ctx.addIssue({ code: 'custom', message: close.length > 0 ? `${JURISDICTION_RULE}; close valid codes: ${close.join(', ')}` : JURISDICTION_RULE });
  }
});

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const timeZone = z.string().refine(isTimeZone, { message: 'must be an IANA time zone, e.g. Europe/London' });
export const partialHolidaysSchema = z.enum(['working', 'off'], { message: "must be 'working' or 'off'" });
export const localDateSchema = z.string({ message: 'is required' }).refine(isLocalDate, { message: 'must be a calendar date YYYY-MM-DD, e.g. 2026-02-14' });
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 instant with a time zone, e.g. 2026-12-24T12:00:00Z' });

export const overrideBodySchema = z.strictObject({
  kind: z.enum(['working', 'off'], { message: "must be 'working' or 'off'" }),
  reason: z.string({ message: 'is required' }).trim().min(1, { message: 'must not be empty' }).max(500, { message: 'must be at most 500 characters' }),
});

/** The longest listing: a year and a day. */
export const MAX_LISTED_DAYS = 366;

export const calendarDaysQuery = z
  .strictObject({
    from: localDateSchema,
    to: localDateSchema,
    timeZone: timeZone.optional(),
    partialHolidays: partialHolidaysSchema.optional(),
  })
  .superRefine((q, ctx) => {
    if (!isLocalDate(q.from) || !isLocalDate(q.to)) return;
    const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000;
    if (days < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    else if (days >= MAX_LISTED_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_LISTED_DAYS - 1} days after from` });
  });

export const deadlineQuery = z.strictObject({
  from: instant,
  workingDays: z.coerce
    .number({ message: `must be a whole number from 1 to ${MAX_WORKING_DAYS}` })
    .int({ message: `must be a whole number from 1 to ${MAX_WORKING_DAYS}` })
    .min(1, { message: `must be a whole number from 1 to ${MAX_WORKING_DAYS}` })
    .max(MAX_WORKING_DAYS, { message: `must be a whole number from 1 to ${MAX_WORKING_DAYS}` })
    .default(5),
  timeZone: timeZone.optional(),
  partialHolidays: partialHolidaysSchema.optional(),
});
