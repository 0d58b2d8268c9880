// Inputs of the calendar API (and the jurisdiction rule onboarding shares), with the rules a caller is told
// when it breaks one.
import { isLocalDate, MAX_WORKING_DAYS, parseJurisdiction, UnknownJurisdictionError } from '@lethe/calendar';
import { instantSchema, INSTANT_RANGES, localDateInRange, localDateRangeRule, stringSchema, textSchema } from '@lethe/domain';
import { z } from 'zod';
import { wholeNumberQueryField } from '../whole-number.schema.js';

const JURISDICTION_RULE = 'must be a jurisdiction date-holidays knows: an ISO 3166 country, optionally with a subdivision and a region (GB, GB-SCT, DE-BY, DE-BY-KATH)';

/** The longest jurisdiction code date-holidays has is far shorter; a longer one is not looked up at all. */
const MAX_JURISDICTION_LENGTH = 32;

/** A jurisdiction code; an unknown one is refused naming close valid codes. */
export const jurisdictionSchema = stringSchema().max(MAX_JURISDICTION_LENGTH, { message: JURISDICTION_RULE }).superRefine((code, ctx) => {
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

const TIME_ZONE_RULE = 'must be an IANA time zone, e.g. Europe/London';
/** An IANA time zone name (the longest are about 30 characters). */
export const timeZoneSchema = stringSchema().max(64, { message: TIME_ZONE_RULE }).refine(isTimeZone, { message: TIME_ZONE_RULE });
const timeZone = timeZoneSchema;
export const partialHolidaysSchema = z.enum(['working', 'off'], { message: "must be 'working' or 'off'" });

/**
 * A local date within the calendar horizon around `now` (from 2000-01-01 to 100 years ahead): the
 * calendar answers for those, and an override far outside them means nothing.
 */
export const localDateSchema = (now: Date) =>
  stringSchema()
    .refine(isLocalDate, { message: 'must be a calendar date YYYY-MM-DD, e.g. 2026-02-14', abort: true })
    .refine((d) => localDateInRange(d, INSTANT_RANGES.horizon, now), { message: localDateRangeRule(INSTANT_RANGES.horizon), abort: true });

export const overrideBodySchema = z.strictObject({
  kind: z.enum(['working', 'off'], { message: "must be 'working' or 'off'" }),
  reason: textSchema({ nonEmpty: true }),
});

/** The longest listing: a year and a day. */
export const MAX_LISTED_DAYS = 366;

export const calendarDaysQuery = (now: Date) =>
  z
    .strictObject({
      from: localDateSchema(now),
      to: localDateSchema(now),
      timeZone: timeZone.optional(),
      partialHolidays: partialHolidaysSchema.optional(),
    })
    .superRefine((q, ctx) => {
      if (!isLocalDate(q.from) || !isLocalDate(q.to)) return;
      const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000;
      if (days < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
      else if (days >= MAX_LISTED_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `must be at most ${MAX_LISTED_DAYS - 1} days after from` });
    });

export const deadlineQuery = (now: Date) =>
  z.strictObject({
    from: instantSchema(INSTANT_RANGES.horizon, now),
    workingDays: wholeNumberQueryField({ min: 1, max: MAX_WORKING_DAYS, fallback: 5, rule: `must be a whole number from 1 to ${MAX_WORKING_DAYS}` }),
    timeZone: timeZone.optional(),
    partialHolidays: partialHolidaysSchema.optional(),
  });
