/**
 * Working days and working-day deadlines (ARCHITECTURE.md §2).
 *
 * A working day is a local calendar day, Monday to Friday, that is not a holiday of an excluded type in the
 * jurisdiction. The deadline of N working days from instant T: D = the local date of T in the tenant's
 * time zone; D itself is never counted, whatever it is; counting the working days after D, the deadline is
 * the end (23:59:59.999 local) of the Nth, as a UTC instant.
 */
import { defaultHolidayCache, HolidayCache } from './holiday-cache.js';
import { normalizeExcludedTypes, type HolidayType } from './holiday-type.js';
import { parseJurisdiction, timeZoneOf } from './jurisdiction.js';
import { assertLocalDate, epochDayOf, formatEpochDay, isoWeekdayOfEpochDay, isWeekend, yearOf, type LocalDate } from './local-date.js';
import { assertInstant, assertTimeZone, endOfLocalDay, localDateOf } from './zoned-time.js';

export interface CalendarOptions {
  /** Holiday types that are days off. Default ['public', 'bank']. An empty list leaves only weekends. */
  readonly excludedTypes?: readonly HolidayType[];
  /** Where holidays are read and cached; default: a cache over `date-holidays` shared by all calendars. */
  readonly holidayCache?: HolidayCache;
}

/**
 * The largest N a deadline may have (about 40 years): a larger N is a caller's bug, and would run the
 * calendar past the years `date-holidays` is meaningful for.
 */
export const MAX_WORKING_DAYS = 10_000;

function assertWorkingDayCount(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKING_DAYS) {
    throw new RangeError(`n must be an integer between 1 and ${MAX_WORKING_DAYS}, got ${String(n)}`);
  }
}

export class WorkingDayCalendar {
  /** Canonical (validated, de-duplicated, ordered) excluded types. */
  readonly excludedTypes: readonly HolidayType[];
  private readonly holidays: HolidayCache;

  /** @throws RangeError for an unknown holiday type. */
  constructor(options: CalendarOptions = {}) {
    this.excludedTypes = normalizeExcludedTypes(options.excludedTypes);
    this.holidays = options.holidayCache ?? defaultHolidayCache;
  }

  /**
   * Whether `localDate` ('YYYY-MM-DD') is a working day in `jurisdiction`.
   * @throws UnknownJurisdictionError; RangeError for a malformed date.
   */
  isWorkingDay(localDate: string, jurisdiction: string): boolean {
    assertLocalDate(localDate);
    parseJurisdiction(jurisdiction);
    return this.isWorkingDate(localDate, jurisdiction);
  }

  /**
   * The deadline of `n` working days from `instant` (see the file comment): the end, 23:59:59.999 in
   * `timeZone`, of the nth working day after the local date of `instant`.
   * @param timeZone the tenant's IANA time zone; default `timeZoneOf(jurisdiction)`.
   * @throws RangeError unless `n` is an integer in 1..MAX_WORKING_DAYS and `instant` a valid Date;
   *   UnknownJurisdictionError; UnknownTimeZoneError.
   */
  addWorkingDays(instant: Date, n: number, jurisdiction: string, timeZone?: string): Date {
    assertInstant(instant);
    assertWorkingDayCount(n);
    parseJurisdiction(jurisdiction);
    const zone = timeZone ?? timeZoneOf(jurisdiction);
    assertTimeZone(zone);

    // Walk epoch days (numbers) and build the date string only for weekdays.
    let day = epochDayOf(localDateOf(instant, zone)) as number;
    let date: LocalDate = '';
    for (let counted = 0; counted < n; ) {
      day++;
      if (isoWeekdayOfEpochDay(day) >= 6) continue;
      date = formatEpochDay(day);
      if (!this.holidaysOf(jurisdiction, yearOf(date)).has(date)) counted++;
    }
    return endOfLocalDay(date, zone);
  }

  /**
   * The local dates of `year` that are holidays of an excluded type in `jurisdiction` (substitute days
   * included; weekends not, unless a holiday falls on them). Cached per (jurisdiction, year, types).
   * @throws UnknownJurisdictionError; RangeError for a year outside 1000..9999.
   */
  holidaysOf(jurisdiction: string, year: number): ReadonlySet<string> {
    return this.holidays.excludedDates(jurisdiction, year, this.excludedTypes);
  }

  private isWorkingDate(date: LocalDate, jurisdiction: string): boolean {
    return !isWeekend(date) && !this.holidaysOf(jurisdiction, yearOf(date)).has(date);
  }
}

export interface AddWorkingDaysOptions {
  /** The tenant's IANA time zone; default `timeZoneOf(jurisdiction)`. */
  readonly timeZone?: string;
  /** Default ['public', 'bank']. */
  readonly excludedTypes?: readonly HolidayType[];
}

/** One calendar per excluded-types selection, all over the shared default holiday cache. */
const defaultCalendars = new Map<string, WorkingDayCalendar>();

function defaultCalendar(excludedTypes?: readonly HolidayType[]): WorkingDayCalendar {
  const types = normalizeExcludedTypes(excludedTypes);
  const key = types.join(',');
  let calendar = defaultCalendars.get(key);
  if (!calendar) {
    calendar = new WorkingDayCalendar({ excludedTypes: types });
    defaultCalendars.set(key, calendar);
  }
  return calendar;
}

/** `WorkingDayCalendar#addWorkingDays` on a shared calendar for `options.excludedTypes`. */
export function addWorkingDays(instant: Date, n: number, jurisdiction: string, options: AddWorkingDaysOptions = {}): Date {
  return defaultCalendar(options.excludedTypes).addWorkingDays(instant, n, jurisdiction, options.timeZone);
}

/** `WorkingDayCalendar#isWorkingDay` on a shared calendar for `options.excludedTypes`. */
export function isWorkingDay(localDate: string, jurisdiction: string, options: Pick<AddWorkingDaysOptions, 'excludedTypes'> = {}): boolean {
  return defaultCalendar(options.excludedTypes).isWorkingDay(localDate, jurisdiction);
}
