/**
 * Working days and working-day deadlines (ARCHITECTURE.md §2).
 *
 * A working day is a local calendar date that (1) exists in the tenant's time zone, (2) is not a weekend day
 * of the jurisdiction's country on that date (CLDR week data, with dated changes by law: weekend.ts), and
 * (3) is not a full-day holiday of an excluded type in the jurisdiction (a partial holiday, starting after
 * local midnight, is a working day unless the tenant chooses 'off'). An operator override of the date beats
 * (2) and (3): a declared working day is one, a declared day off is not.
 *
 * The deadline of N working days from instant T: D = the local date of T in the tenant's time zone; D itself
 * is never counted, whatever it is; counting the working days after D, the deadline is the end (the last
 * existing instant, 23:59:59.999 local where that exists) of the Nth, as a UTC instant.
 */
import { overridesInForce, type CalendarOverride } from './calendar-override.js';
import { defaultHolidayCache, HolidayCache, PARTIAL_HOLIDAY_RULES, type HolidayDate, type PartialHolidayRule } from './holiday-cache.js';
import { normalizeExcludedTypes, type HolidayType } from './holiday-type.js';
import { parseJurisdiction, timeZoneOf } from './jurisdiction.js';
import { assertLocalDate, epochDayOf, formatEpochDay, isoWeekdayOfEpochDay, yearOf, type LocalDate } from './local-date.js';
import { weekendPeriodOn, type IsoWeekday, type WeekendRule } from './weekend.js';
import { assertInstant, assertTimeZone, endOfLocalDay, localDateOf, skippedDates } from './zoned-time.js';

export interface CalendarOptions {
  /** Holiday types that are days off. Default ['public', 'bank']. An empty list leaves only weekends. */
  readonly excludedTypes?: readonly HolidayType[];
  /** Where holidays are read and cached; default: a cache over `date-holidays` shared by all calendars. */
  readonly holidayCache?: HolidayCache;
}

/** What a deadline or a day depends on besides the jurisdiction. */
export interface DayOptions {
  /** The tenant's IANA time zone; default `timeZoneOf(jurisdiction)`. Decides which dates exist. */
  readonly timeZone?: string;
  /** Default 'working': a holiday starting after local midnight leaves a working day. */
  readonly partialHolidays?: PartialHolidayRule;
  /** Operator overrides; those of other jurisdictions than this one and its parents are ignored. */
  readonly overrides?: readonly CalendarOverride[];
}

/** A deadline with what decided it, so that it can be explained later. */
export interface WorkingDayDeadline {
  /** End of the nth working day (UTC instant). */
  readonly deadline: Date;
  /** The local date of the instant (never counted). */
  readonly startDate: LocalDate;
  /** The n working days counted, in order. */
  readonly countedDays: readonly LocalDate[];
  readonly timeZone: string;
  readonly partialHolidays: PartialHolidayRule;
  /** The weekend rules in force over the dates walked (one, unless the weekend changed by law on the way). */
  readonly weekends: readonly WeekendRule[];
  /** Ids of the overrides on the dates walked (after the start date up to the deadline's date). */
  readonly overrideIds: readonly string[];
}

/** Why a date is off (or, for an override, working). */
export type DayReason =
  | { readonly kind: 'nonexistent' }
  | { readonly kind: 'weekend'; readonly weekend: readonly IsoWeekday[] }
  | { readonly kind: 'holiday'; readonly name: string; readonly type: HolidayType }
  | { readonly kind: 'partial-holiday'; readonly name: string; readonly type: HolidayType; readonly counts: 'working' | 'off' }
  | { readonly kind: 'override'; readonly overrideId: string; readonly override: 'working' | 'off'; readonly reason: string; readonly jurisdiction?: string };

/** One local date as the calendar sees it. */
export interface DayStatus {
  readonly date: LocalDate;
  readonly weekday: IsoWeekday;
  readonly working: boolean;
  /** Everything that bears on the date (a weekend holiday lists both), including what was overridden. */
  readonly reasons: readonly DayReason[];
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

function assertPartialRule(rule: PartialHolidayRule): void {
  if (!PARTIAL_HOLIDAY_RULES.includes(rule)) {
    throw new RangeError(`partialHolidays must be one of ${PARTIAL_HOLIDAY_RULES.join(', ')}, got ${JSON.stringify(rule)}`);
  }
}

/** First epoch day of the year after the one `epochDay` falls in. */
function nextYearStart(epochDay: number): number {
  return Date.UTC(new Date(epochDay * 86_400_000).getUTCFullYear() + 1, 0, 1) / 86_400_000;
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
   * @throws UnknownJurisdictionError; UnknownTimeZoneError; RangeError for a malformed date or option.
   */
  isWorkingDay(localDate: string, jurisdiction: string, options: DayOptions = {}): boolean {
    return this.day(localDate, jurisdiction, options).working;
  }

  /**
   * The deadline of `n` working days from `instant` (see the file comment): the end of the nth working day
   * after the local date of `instant`, as a UTC instant.
   * @param timeZone the tenant's IANA time zone; default `timeZoneOf(jurisdiction)`.
   * @throws RangeError unless `n` is an integer in 1..MAX_WORKING_DAYS and `instant` a valid Date;
   *   UnknownJurisdictionError; UnknownTimeZoneError.
   */
  addWorkingDays(instant: Date, n: number, jurisdiction: string, timeZone?: string, options: Omit<DayOptions, 'timeZone'> = {}): Date {
    return this.walk(instant, n, jurisdiction, { ...options, timeZone }, false).deadline;
  }

  /** `addWorkingDays` with the counted days, the weekend rules and the overrides that decided it. Same errors. */
  deadline(instant: Date, n: number, jurisdiction: string, options: DayOptions = {}): WorkingDayDeadline {
    return this.walk(instant, n, jurisdiction, options, true);
  }

  /**
   * The local dates of `year` that are off for a holiday of an excluded type in `jurisdiction` (substitute
   * days included; weekends not, unless a holiday falls on them; partial holidays only with 'off'). Cached
   * per (jurisdiction, year, types, partial-holiday rule).
   * @throws UnknownJurisdictionError; RangeError for a year outside 1000..9999.
   */
  holidaysOf(jurisdiction: string, year: number, partialHolidays: PartialHolidayRule = 'working'): ReadonlySet<string> {
    return this.holidays.excludedDates(jurisdiction, year, this.excludedTypes, partialHolidays);
  }

  /**
   * One local date with whether it is a working day and every reason that bears on it.
   * @throws UnknownJurisdictionError; UnknownTimeZoneError; RangeError for a malformed date or option.
   */
  day(localDate: string, jurisdiction: string, options: DayOptions = {}): DayStatus {
    assertLocalDate(localDate);
    const { country } = parseJurisdiction(jurisdiction);
    const zone = options.timeZone ?? timeZoneOf(jurisdiction);
    assertTimeZone(zone);
    const partialHolidays = options.partialHolidays ?? 'working';
    assertPartialRule(partialHolidays);
    const epochDay = epochDayOf(localDate)!;
    const weekday = isoWeekdayOfEpochDay(epochDay) as IsoWeekday;
    const reasons: DayReason[] = [];
    if (skippedDates(zone, yearOf(localDate)).has(localDate)) {
      return { date: localDate, weekday, working: false, reasons: [{ kind: 'nonexistent' }] };
    }
    const weekend = weekendPeriodOn(country, epochDay).rule.days;
    if (weekend.includes(weekday)) reasons.push({ kind: 'weekend', weekend });
    const holidays: readonly HolidayDate[] = this.holidays.holidaysByDate(jurisdiction, yearOf(localDate)).get(localDate) ?? [];
    for (const h of holidays.filter((h) => this.excludedTypes.includes(h.type))) {
      reasons.push(h.partial ? { kind: 'partial-holiday', name: h.name, type: h.type, counts: partialHolidays } : { kind: 'holiday', name: h.name, type: h.type });
    }
    const override = overridesInForce(jurisdiction, options.overrides ?? []).get(localDate);
    let working = !reasons.some((r) => r.kind === 'weekend' || r.kind === 'holiday' || (r.kind === 'partial-holiday' && r.counts === 'off'));
    if (override) {
      reasons.push({
        kind: 'override',
        overrideId: override.id,
        override: override.kind,
        reason: override.reason,
        ...(override.jurisdiction === undefined ? {} : { jurisdiction: override.jurisdiction }),
      });
      working = override.kind === 'working';
    }
    return { date: localDate, weekday, working, reasons };
  }

  private walk(instant: Date, n: number, jurisdiction: string, options: DayOptions, explain: boolean): WorkingDayDeadline {
    assertInstant(instant);
    assertWorkingDayCount(n);
    const { country } = parseJurisdiction(jurisdiction);
    const zone = options.timeZone ?? timeZoneOf(jurisdiction);
    assertTimeZone(zone);
    const partialHolidays = options.partialHolidays ?? 'working';
    assertPartialRule(partialHolidays);
    const overrides = overridesInForce(jurisdiction, options.overrides ?? []);

    // Walk epoch days (numbers); build the date string only for days that are not plainly weekend.
    const startDate = localDateOf(instant, zone);
    let day = epochDayOf(startDate)!;
    let period = weekendPeriodOn(country, day + 1);
    const weekends: WeekendRule[] = [period.rule];
    let yearEnd = Number.NEGATIVE_INFINITY;
    let skipped: ReadonlySet<LocalDate> = new Set();
    let holidays: ReadonlySet<LocalDate> = new Set();
    const counted: LocalDate[] = [];
    const overrideIds: string[] = [];
    let date: LocalDate = startDate;
    for (let count = 0; count < n; ) {
      day++;
      if (day >= period.untilEpochDay) {
        period = weekendPeriodOn(country, day);
        weekends.push(period.rule);
      }
      const weekend = ((period.mask >> isoWeekdayOfEpochDay(day)) & 1) === 1;
      if (weekend && overrides.size === 0) continue;
      date = formatEpochDay(day);
      if (day >= yearEnd) {
        yearEnd = nextYearStart(day);
        const year = yearOf(date);
        skipped = skippedDates(zone, year);
        holidays = this.holidaysOf(jurisdiction, year, partialHolidays);
      }
      if (skipped.size > 0 && skipped.has(date)) continue;
      const override = overrides.size === 0 ? undefined : overrides.get(date);
      if (override) overrideIds.push(override.id);
      const working = override ? override.kind === 'working' : !weekend && !holidays.has(date);
      if (!working) continue;
      count++;
      if (explain) counted.push(date);
    }
    return {
      deadline: endOfLocalDay(date, zone),
      startDate,
      countedDays: counted,
      timeZone: zone,
      partialHolidays,
      weekends,
      overrideIds,
    };
  }
}

export interface AddWorkingDaysOptions extends DayOptions {
  /** Default ['public', 'bank']. */
  readonly excludedTypes?: readonly HolidayType[];
}

/** One calendar per excluded-types selection, all over the shared default holiday cache. */
const defaultCalendars = new Map<string, WorkingDayCalendar>();

/** The shared calendar for an excluded-types selection (over the default holiday cache). */
export function defaultCalendar(excludedTypes?: readonly HolidayType[]): WorkingDayCalendar {
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
  return defaultCalendar(options.excludedTypes).addWorkingDays(instant, n, jurisdiction, options.timeZone, options);
}

/** `WorkingDayCalendar#isWorkingDay` on a shared calendar for `options.excludedTypes`. */
export function isWorkingDay(localDate: string, jurisdiction: string, options: AddWorkingDaysOptions = {}): boolean {
  return defaultCalendar(options.excludedTypes).isWorkingDay(localDate, jurisdiction, options);
}
