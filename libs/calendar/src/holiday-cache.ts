/**
 * Caches holiday dates per (jurisdiction, year) and excluded-date sets per (jurisdiction, year, excluded
 * types), so that `date-holidays` (several ms per getHolidays call) runs once per jurisdiction and year.
 * The cache only grows; it holds a few dozen short strings per jurisdiction and year.
 */
import { DateTime } from 'luxon';
import { OutsideCalendarYearsError } from './errors.js';
import { dateHolidaysSource, type HolidaySource, type HolidaySourceFactory } from './holiday-source.js';
import { normalizeExcludedTypes, type HolidayType } from './holiday-type.js';
import { parseJurisdiction, timeZoneOf } from './jurisdiction.js';
import { addDays, MAX_YEAR, MIN_YEAR, type LocalDate } from './local-date.js';
import { zoneOf } from './zoned-time.js';

/** One local calendar date on which a holiday falls. */
export interface HolidayDate {
  readonly date: LocalDate;
  readonly type: HolidayType;
  readonly name: string;
  /** The holiday starts after local midnight of this date (e.g. from 14:00): offices are open that morning. */
  readonly partial: boolean;
}

/** How partial holidays count (ARCHITECTURE.md §2): as working days (default) or as days off. */
export type PartialHolidayRule = 'working' | 'off';
export const PARTIAL_HOLIDAY_RULES: readonly PartialHolidayRule[] = Object.freeze(['working', 'off']);

/** Guard against broken data; the longest span in date-holidays 3.37 is a 17-day school holiday. */
const MAX_SPAN_DAYS = 366;

/**
 * The local dates a holiday covers: its own date (the date part of `date`) and every further local date
 * up to the one its end falls on (exclusive end), read in the zone the source computed it in. A holiday
 * that starts on the eve (date-holidays writes '2024-04-10 00:00:00 -0600' for a sunset start) covers its
 * own date onwards, not the eve; one that starts at 14:00 (DE Heiliger Abend) covers its whole date.
 */
export function datesOf(holiday: { date: string; end: Date }, timeZone: string): LocalDate[] {
  const first = holiday.date.slice(0, 10);
  const dates = [first];
  const endMs = holiday.end instanceof Date ? holiday.end.getTime() : Number.NaN;
  if (Number.isNaN(endMs)) return dates;
  const last = DateTime.fromMillis(endMs - 1, { zone: zoneOf(timeZone) }).toISODate();
  if (last === null) return dates;
  for (let date = addDays(first, 1); date <= last && dates.length < MAX_SPAN_DAYS; date = addDays(date, 1)) {
    dates.push(date);
  }
  return dates;
}

/**
 * Whether a holiday is partial: its start is later than the local midnight of its own date (the date part
 * of `date`), read in the zone the source computed it in. DE Heiliger Abend ('2025-12-24 14:00:00') is;
 * a holiday that begins the evening before ('2027-06-11 00:00:00 -0600', start 18:00 on 10 June) is not:
 * it covers all of 11 June.
 */
export function isPartial(holiday: { date: string; start: Date }, timeZone: string): boolean {
  const startMs = holiday.start instanceof Date ? holiday.start.getTime() : Number.NaN;
  if (Number.isNaN(startMs)) return false;
  const midnight = DateTime.fromISO(holiday.date.slice(0, 10), { zone: zoneOf(timeZone) }).startOf('day').toMillis();
  return startMs > midnight;
}

function assertYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR) {
    throw new OutsideCalendarYearsError(`year must be an integer between ${MIN_YEAR} and ${MAX_YEAR}, got ${year}`, MIN_YEAR, MAX_YEAR);
  }
}

export class HolidayCache {
  private readonly sources = new Map<string, { source: HolidaySource; timeZone: string }>();
  /** Key `${jurisdiction}|${year}`: dates of the holidays date-holidays lists for that year (may spill into the next). */
  private readonly dates = new Map<string, readonly HolidayDate[]>();
  /** Key `${jurisdiction}|${year}|${types}|${partial rule}`. */
  private readonly excluded = new Map<string, ReadonlySet<LocalDate>>();
  /** Key `${jurisdiction}|${year}`: holidays of every type by the local date (of `year`) they fall on. */
  private readonly byDate = new Map<string, ReadonlyMap<LocalDate, readonly HolidayDate[]>>();

  constructor(private readonly sourceFactory: HolidaySourceFactory = dateHolidaysSource) {}

  /**
   * The local dates in `year` on which `jurisdiction` has a day off for a holiday of one of `types`,
   * substitute days included: a full-day holiday, or a partial one when `partialHolidays` is 'off'. A
   * holiday's dates count in the year they fall in, whichever year's rules produce them (a US New Year's Day
   * observed on the previous 31 December, a multi-day holiday crossing New Year).
   * @throws UnknownJurisdictionError, RangeError for a bad year, type or partial-holiday rule.
   */
  excludedDates(
    jurisdiction: string,
    year: number,
    types: readonly HolidayType[],
    partialHolidays: PartialHolidayRule = 'working',
  ): ReadonlySet<LocalDate> {
    // Hot path (once per day walked): look up by the types as given; validate only on a miss.
    const key = `${jurisdiction}|${year}|${types.join(',')}|${partialHolidays}`;
    let set = this.excluded.get(key);
    if (!set) {
      const normalized = normalizeExcludedTypes(types);
      if (!PARTIAL_HOLIDAY_RULES.includes(partialHolidays)) {
        throw new RangeError(`partialHolidays must be one of ${PARTIAL_HOLIDAY_RULES.join(', ')}, got ${JSON.stringify(partialHolidays)}`);
      }
      const found = new Set<LocalDate>();
      for (const [date, holidays] of this.holidaysByDate(jurisdiction, year)) {
        const excluded = holidays.filter((h) => normalized.includes(h.type));
        // A date with a full-day holiday is off even if a partial one falls on it too.
        if (excluded.some((h) => !h.partial) || (partialHolidays === 'off' && excluded.length > 0)) found.add(date);
      }
      set = found;
      this.excluded.set(key, set);
    }
    return set;
  }

  /**
   * The holidays (of every type) on each local date of `year` in `jurisdiction`, from the rules of `year`
   * and its neighbours. Cached.
   * @throws UnknownJurisdictionError, RangeError for a bad year.
   */
  holidaysByDate(jurisdiction: string, year: number): ReadonlyMap<LocalDate, readonly HolidayDate[]> {
    const key = `${jurisdiction}|${year}`;
    let map = this.byDate.get(key);
    if (!map) {
      assertYear(year);
      const prefix = `${year}-`;
      const found = new Map<LocalDate, HolidayDate[]>();
      for (const ruleYear of [year - 1, year, year + 1]) {
        if (ruleYear < MIN_YEAR || ruleYear > MAX_YEAR) continue;
        for (const holiday of this.holidayDates(jurisdiction, ruleYear)) {
          if (!holiday.date.startsWith(prefix)) continue;
          const list = found.get(holiday.date) ?? [];
          // The same holiday appears under the rules of two years only if date-holidays lists it twice.
          if (!list.some((h) => h.name === holiday.name && h.type === holiday.type)) list.push(holiday);
          found.set(holiday.date, list);
        }
      }
      map = found;
      this.byDate.set(key, map);
    }
    return map;
  }

  /** Dates of the holidays (of every type) that `date-holidays` lists for `year`; cached. */
  holidayDates(jurisdiction: string, year: number): readonly HolidayDate[] {
    const key = `${jurisdiction}|${year}`;
    let dates = this.dates.get(key);
    if (!dates) {
      assertYear(year);
      const { source, timeZone } = this.sourceOf(jurisdiction);
      dates = Object.freeze(
        source.getHolidays(year).flatMap((holiday) => {
          const partial = isPartial(holiday, timeZone);
          // Only the first date of a holiday that starts in the afternoon is partial; the days after are whole.
          return datesOf(holiday, timeZone).map((date, i) => Object.freeze({ date, type: holiday.type, name: holiday.name, partial: partial && i === 0 }));
        }),
      );
      this.dates.set(key, dates);
    }
    return dates;
  }

  private sourceOf(jurisdiction: string): { source: HolidaySource; timeZone: string } {
    let entry = this.sources.get(jurisdiction);
    if (!entry) {
      const timeZone = timeZoneOf(jurisdiction);
      entry = { source: this.sourceFactory(parseJurisdiction(jurisdiction), timeZone), timeZone };
      this.sources.set(jurisdiction, entry);
    }
    return entry;
  }
}

/** Shared by the default calendars. */
export const defaultHolidayCache = new HolidayCache();
