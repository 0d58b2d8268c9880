/**
 * Civil (time-zone-free) calendar dates as 'YYYY-MM-DD' strings. Day arithmetic runs on the proleptic
 * Gregorian calendar through Date.UTC, which involves no time zone or offset.
 */

/** A local calendar date, 'YYYY-MM-DD'. */
export type LocalDate = string;

/** ISO weekday: 1 = Monday … 7 = Sunday (the numbering of CLDR weekInfo and luxon). */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** Years a local date may have: four digits, so that 'YYYY-MM-DD' strings sort and compare as dates. */
export const MIN_YEAR = 1000;
export const MAX_YEAR = 9999;

const MS_PER_DAY = 86_400_000;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a valid local date; undefined when the string is not a real date. */
export function epochDayOf(date: string): number | undefined {
  const match = LOCAL_DATE.exec(date);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < MIN_YEAR || month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const ms = Date.UTC(year, month - 1, day);
  // Date.UTC rolls 2026-02-30 over to March; a real date survives the round trip.
  return formatEpochDay(ms / MS_PER_DAY) === date ? ms / MS_PER_DAY : undefined;
}

/** The local date `epochDay` days after 1970-01-01. */
export function formatEpochDay(epochDay: number): LocalDate {
  return new Date(epochDay * MS_PER_DAY).toISOString().slice(0, 10);
}

export function isLocalDate(value: unknown): value is LocalDate {
  return typeof value === 'string' && epochDayOf(value) !== undefined;
}

/** @throws RangeError naming `argument` unless `value` is a real 'YYYY-MM-DD' date with a four-digit year. */
export function assertLocalDate(value: unknown, argument = 'localDate'): asserts value is LocalDate {
  if (!isLocalDate(value)) {
    throw new RangeError(`${argument} must be a calendar date 'YYYY-MM-DD' (years ${MIN_YEAR}-${MAX_YEAR}), got ${JSON.stringify(value)}`);
  }
}

/** The date `days` days after `date` (before, when negative). `date` must be valid. */
export function addDays(date: LocalDate, days: number): LocalDate {
  const epochDay = epochDayOf(date);
  if (epochDay === undefined) throw new RangeError(`not a calendar date: ${JSON.stringify(date)}`);
  return formatEpochDay(epochDay + days);
}

/** ISO weekday: 1 = Monday … 7 = Sunday. `date` must be valid. */
export function isoWeekday(date: LocalDate): number {
  const epochDay = epochDayOf(date);
  if (epochDay === undefined) throw new RangeError(`not a calendar date: ${JSON.stringify(date)}`);
  return isoWeekdayOfEpochDay(epochDay);
}

/** ISO weekday of the date `epochDay` days after 1970-01-01 (a Thursday, 4). */
export function isoWeekdayOfEpochDay(epochDay: number): number {
  return ((((epochDay + 3) % 7) + 7) % 7) + 1;
}

export function isWeekend(date: LocalDate): boolean {
  return isoWeekday(date) >= 6;
}

export function yearOf(date: LocalDate): number {
  return Number(date.slice(0, 4));
}
