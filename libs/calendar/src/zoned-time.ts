/**
 * Conversions between UTC instants and local calendar days in an IANA time zone (via luxon, which reads
 * the runtime's ICU time-zone data). No hand-written offset tables.
 */
import { DateTime, IANAZone } from 'luxon';
import { OutsideCalendarYearsError, UnknownTimeZoneError } from './errors.js';
import { assertLocalDate, MAX_YEAR, MIN_YEAR, type LocalDate } from './local-date.js';

const MS_PER_HOUR = 3_600_000;
const MS_PER_MINUTE = 60_000;
const zones = new Map<string, IANAZone>();

/**
 * The IANA zone named `timeZone` (names are matched case-insensitively, like Intl does).
 * @throws UnknownTimeZoneError when the runtime does not know the zone.
 */
export function zoneOf(timeZone: string): IANAZone {
  let zone = zones.get(timeZone);
  if (!zone) {
    if (typeof timeZone !== 'string' || timeZone.trim() === '' || !IANAZone.isValidZone(timeZone)) {
      throw new UnknownTimeZoneError(String(timeZone));
    }
    zone = IANAZone.create(timeZone);
    zones.set(timeZone, zone);
  }
  return zone;
}

/** @throws UnknownTimeZoneError when the runtime does not know the zone. */
export function assertTimeZone(timeZone: string): void {
  zoneOf(timeZone);
}

/** @throws RangeError naming `argument` unless `value` is a valid Date. */
export function assertInstant(value: unknown, argument = 'instant'): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new RangeError(`${argument} must be a valid Date, got ${String(value)}`);
  }
}

/** The local calendar date of `instant` in `timeZone`. */
export function localDateOf(instant: Date, timeZone: string): LocalDate {
  assertInstant(instant);
  const local = DateTime.fromJSDate(instant, { zone: zoneOf(timeZone) });
  if (local.year < MIN_YEAR || local.year > MAX_YEAR) {
    throw new OutsideCalendarYearsError(`instant ${instant.toISOString()} is outside the supported years ${MIN_YEAR}-${MAX_YEAR}`, MIN_YEAR, MAX_YEAR);
  }
  return local.toISODate() as LocalDate;
}

/**
 * The last instant of local day `date` in `timeZone`: the latest instant whose local wall time there is
 * `date` 23:59:59.999. When a backward offset change repeats that wall time (e.g. America/Santiago moves
 * its clocks from 24:00 back to 23:00), the later occurrence is the end of the day; luxon alone would
 * pick either. If 23:59:59.999 does not exist at all (a forward jump over midnight), the day ends one
 * millisecond before the next local day starts.
 */
export function endOfLocalDay(date: LocalDate, timeZone: string): Date {
  assertLocalDate(date, 'date');
  const zone = zoneOf(timeZone);
  const [year, month, day] = date.split('-').map(Number);
  const wall = Date.UTC(year, month - 1, day, 23, 59, 59, 999);
  // Offsets in force around that wall time (UTC offsets lie within ±14 h); an offset is right when the
  // instant it yields shows it.
  const offsets = new Set([-14, 0, 14].map((hours) => zone.offset(wall + hours * MS_PER_HOUR)));
  let end: number | undefined;
  for (const offset of offsets) {
    const candidate = wall - offset * MS_PER_MINUTE;
    if (zone.offset(candidate) === offset && (end === undefined || candidate > end)) {
      end = candidate;
    }
  }
  if (end === undefined) {
    end = DateTime.fromObject({ year, month, day }, { zone }).plus({ days: 1 }).startOf('day').toMillis() - 1;
  }
  return new Date(end);
}

const MS_PER_DAY = 86_400_000;
/** Key `${timeZone}|${year}`: the local dates of that year the zone skipped entirely. */
const skipped = new Map<string, ReadonlySet<LocalDate>>();

/**
 * The local dates of `year` that never existed in `timeZone`: clocks jumped over the whole day
 * (Pacific/Apia went from 29 Dec 2011 23:59:59 −10 to 31 Dec 2011 00:00 +14). Only an offset jump of 24
 * hours or more can skip a whole date, so years whose offsets span less than that are answered from a
 * weekly sample; the others are walked day by day. Cached per (zone, year).
 */
export function skippedDates(timeZone: string, year: number): ReadonlySet<LocalDate> {
  const key = `${timeZone}|${year}`;
  let set = skipped.get(key);
  if (!set) {
    const zone = zoneOf(timeZone);
    const first = Date.UTC(year, 0, 1) - 2 * MS_PER_DAY;
    const last = Date.UTC(year + 1, 0, 1) + 2 * MS_PER_DAY;
    let [min, max] = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (let t = first; t < last + 7 * MS_PER_DAY; t += 7 * MS_PER_DAY) {
      const offset = zone.offset(Math.min(t, last));
      [min, max] = [Math.min(min, offset), Math.max(max, offset)];
    }
    const found = new Set<LocalDate>();
    if (max - min >= 24 * 60) {
      for (let day = Date.UTC(year, 0, 1); day < Date.UTC(year + 1, 0, 1); day += MS_PER_DAY) {
        const date = new Date(day).toISOString().slice(0, 10);
        // luxon moves a wall time that does not exist forward by the gap: a skipped date lands on a later one.
        const [y, m, d] = date.split('-').map(Number);
        const local = DateTime.fromObject({ year: y, month: m, day: d, hour: 12 }, { zone });
        const midnight = DateTime.fromObject({ year: y, month: m, day: d }, { zone });
        if (local.toISODate() !== date && midnight.toISODate() !== date) found.add(date);
      }
    }
    set = found;
    skipped.set(key, set);
  }
  return set;
}

/** Whether the local date `date` existed (for at least a moment) in `timeZone`. */
export function dateExists(date: LocalDate, timeZone: string): boolean {
  assertLocalDate(date, 'date');
  return !skippedDates(timeZone, Number(date.slice(0, 4))).has(date);
}
