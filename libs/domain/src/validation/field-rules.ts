// Field rules shared by every way in (HTTP bodies, query and path parameters, contract-stream events):
// the same field is checked the same way wherever it arrives, with the rule a caller is told when it
// breaks it.
//
// Instants are checked against a range around "now". The domain has no clock, so a schema that holds
// an instant is built from the `now` of the check: `contractTerminatedSchema(now)`. HTTP builds it per
// request from the engine's clock (ZodBody/ZodParam/ZodQuery take such a factory), the shred saga
// from the clock when it handles the event. Building a schema costs microseconds.
import { z } from 'zod';

/** An id a caller chose for its own record (termination, contract, request, backup). */
export const externalIdSchema = z
  .string({ error: stringRule })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, { message: 'must be 1-128 letters, digits or . _ : - , starting with a letter or digit' });

/** "is required" for a missing value, "must be a string" for any other type. */
export function stringRule(issue: { readonly input?: unknown }): string {
  return issue.input === undefined ? 'is required' : 'must be a string';
}

/** A required string of any content: the base of every string field (then narrowed). */
export const stringSchema = (): z.ZodString => z.string({ error: stringRule });

// ---- Free text -------------------------------------------------------------------------------------

/** Longest free text (a reason) in characters. */
export const MAX_TEXT_LENGTH = 500;

// eslint-disable-next-line no-control-regex
const NUL = /\u0000/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export const NO_NUL_RULE = 'must not contain the NUL character (U+0000)';
export const WELL_FORMED_RULE = 'must be well-formed Unicode (no lone surrogate code units)';

/** Whether `value` can be stored as JSON text (PostgreSQL's jsonb refuses NUL and lone surrogates). */
export function isStorableText(value: string): boolean {
  return !NUL.test(value) && !LONE_SURROGATE.test(value);
}

/** The rule `value` breaks as stored text, or undefined. */
export function textRuleBroken(value: string): string | undefined {
  if (NUL.test(value)) return NO_NUL_RULE;
  if (LONE_SURROGATE.test(value)) return WELL_FORMED_RULE;
  return undefined;
}

/**
 * Free text (a reason): a string of at most `max` characters, without NUL, well-formed Unicode.
 * `nonEmpty`: trimmed and at least one character.
 */
export function textSchema(options: { readonly max?: number; readonly nonEmpty?: boolean } = {}) {
  const max = options.max ?? MAX_TEXT_LENGTH;
  const base = options.nonEmpty ? stringSchema().trim().min(1, { message: 'must not be empty' }) : stringSchema();
  return base.max(max, { message: `must be at most ${max} characters` }).superRefine((value, ctx) => {
    const broken = textRuleBroken(value);
    if (broken) ctx.addIssue({ code: 'custom', message: broken });
  });
}

// ---- Instants --------------------------------------------------------------------------------------

/** No instant Lethe records is older than this: nothing it keeps promises about predates it. */
export const EARLIEST_INSTANT = '2000-01-01T00:00:00Z';
const EARLIEST_MS = Date.parse(EARLIEST_INSTANT);
const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const YEAR_DAYS = 365.25;

/**
 * How far after now each kind of instant may lie (all start at EARLIEST_INSTANT). Named once; the
 * rule a caller is told names the range.
 */
export interface InstantRange {
  /** How much later than now the instant may be, in milliseconds. */
  readonly maxAfterNowMs: number;
  /** The upper end in words, for the rule: "now", "10 years after now". */
  readonly latest: string;
}

/** Clock skew tolerated on "not in the future": the caller's clock may run this far ahead of ours. */
export const CLOCK_SKEW_MS = 5 * MS_PER_MINUTE;

export const INSTANT_RANGES = {
  /** Something that already happened: a backup taken (and the moment it covers from), a request made, a notice received. */
  past: { maxAfterNowMs: CLOCK_SKEW_MS, latest: 'now (5 minutes of clock skew allowed)' },
  /** When a termination takes effect: a contract may end up to 10 years ahead. */
  effective: { maxAfterNowMs: Math.round(10 * YEAR_DAYS) * MS_PER_DAY, latest: '10 years after now' },
  /** When something expires (a backup's retention, a staging blob), when a manual clock is set, a calendar preview. */
  horizon: { maxAfterNowMs: Math.round(100 * YEAR_DAYS) * MS_PER_DAY, latest: '100 years after now' },
} as const satisfies Record<string, InstantRange>;

const INSTANT_FORMAT_RULE = 'must be an ISO 8601 instant with a time zone, e.g. 2026-12-24T12:00:00Z';

/** The rule of an instant in `range`, as a caller is told it. */
export function instantRangeRule(range: InstantRange): string {
  return `must be an instant from ${EARLIEST_INSTANT} to ${range.latest}`;
}

/** Whether the ISO instant `value` lies in `range` around `now`. */
export function instantInRange(value: string, range: InstantRange, now: Date): boolean {
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms >= EARLIEST_MS && ms <= now.getTime() + range.maxAfterNowMs;
}

/** An instant: ISO 8601 with a time zone designator, from EARLIEST_INSTANT to `range.latest` after `now`. */
export function instantSchema(range: InstantRange, now: Date) {
  return z
    .iso.datetime({ offset: true, error: (issue) => (issue.input === undefined ? 'is required' : INSTANT_FORMAT_RULE) })
    // Piped: the range is checked only once the format holds (one rule per field).
    .pipe(z.string().refine((value) => instantInRange(value, range, now), { message: instantRangeRule(range) }));
}

/** A local calendar date ('YYYY-MM-DD') in `range` around `now` (dates count from EARLIEST_INSTANT's date). */
export function localDateInRange(value: string, range: InstantRange, now: Date): boolean {
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isFinite(ms) && ms >= EARLIEST_MS && ms <= now.getTime() + range.maxAfterNowMs;
}

/** The rule of a local date in `range`. */
export function localDateRangeRule(range: InstantRange): string {
  return `must be a date from ${EARLIEST_INSTANT.slice(0, 10)} to ${range.latest}`;
}
