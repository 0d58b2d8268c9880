// The oracle's own working-day arithmetic (P4's 5 working days), written from the rule as stated,
// on date-holidays and the platform's CLDR week data directly, so that a fault in Lethe's calendar
// cannot hide itself by being shared with the checker:
//
// - a working day is a local date (in the tenant's time zone) that exists there, is not a weekend
//   day of the jurisdiction's country, and is not a full-day holiday of type `public` or `bank`;
//   a holiday that starts after local midnight (e.g. 14:00) is partial and leaves a working day;
// - the deadline of N working days from instant T: D = T's local date, D itself never counts; the
//   deadline is the end (23:59:59.999 local) of the Nth working day after D, as a UTC instant.
//
// Weekends are today's law only (Intl week data): the simulated years lie ahead, where no dated
// change of weekend applies. Operator calendar overrides are not modelled: a fleet declares none.
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';

/** Holiday types that close offices (the default of every tenant the fleet onboards). */
export const EXCLUDED_HOLIDAY_TYPES: readonly string[] = ['public', 'bank'];

/** P4: a deletion completes within this many working days. */
export const DELETION_WORKING_DAYS = 5;

/** Saturday–Sunday, where the platform has no week data for a country. */
const DEFAULT_WEEKEND: readonly number[] = [6, 7];

/** Guard: no deadline walks further than this many calendar days (a broken calendar, not a real one). */
const MAX_WALK_DAYS = 366 * 3;

interface WeekInfo {
  readonly weekend: readonly number[];
}

/** The jurisdiction's parts as date-holidays takes them ('DE-BY-KATH' → DE, BY, KATH). */
function partsOf(jurisdiction: string): [string, ...string[]] {
  const [country, ...rest] = jurisdiction.split('-');
  return [country, ...rest];
}

function holidaysOf(jurisdiction: string, timeZone?: string): Holidays {
  const [country, subdivision, region] = partsOf(jurisdiction);
  const options = timeZone === undefined ? {} : { timezone: timeZone };
  if (subdivision === undefined) return new Holidays(country, options);
  if (region === undefined) return new Holidays(country, subdivision, options);
  return new Holidays(country, subdivision, region, options);
}

/** ISO weekdays (1 = Monday … 7 = Sunday) of the country's weekend, from CLDR week data. */
export function weekendOf(country: string): readonly number[] {
  try {
    const locale = new Intl.Locale(`und-${country}`) as Intl.Locale & { weekInfo?: WeekInfo; getWeekInfo?: () => WeekInfo };
    const info = typeof locale.getWeekInfo === 'function' ? locale.getWeekInfo() : locale.weekInfo;
    return info?.weekend ?? DEFAULT_WEEKEND;
  } catch {
    return DEFAULT_WEEKEND;
  }
}

const nextDate = (date: string) => DateTime.fromISO(date, { zone: 'UTC' }).plus({ days: 1 }).toISODate()!;

export class OracleCalendar {
  /** `${jurisdiction}|${timeZone}|${year}` → local dates closed by a full-day excluded holiday. */
  private readonly closed = new Map<string, ReadonlySet<string>>();
  private readonly weekends = new Map<string, readonly number[]>();
  private readonly zones = new Map<string, string>();

  /** The jurisdiction's default time zone: the first one date-holidays lists for it. */
  defaultTimeZone(jurisdiction: string): string {
    let zone = this.zones.get(jurisdiction);
    if (zone === undefined) {
      zone = holidaysOf(jurisdiction).getTimezones()[0] ?? 'UTC';
      this.zones.set(jurisdiction, zone);
    }
    return zone;
  }

  /** The local date ('YYYY-MM-DD') of an instant in a time zone. */
  localDateOf(instant: Date, timeZone: string): string {
    return DateTime.fromJSDate(instant, { zone: timeZone }).toISODate()!;
  }

  /** Whether the local date is a working day of the jurisdiction in that time zone. */
  isWorkingDay(date: string, jurisdiction: string, timeZone: string): boolean {
    // A date the zone skipped (Samoa, 30 December 2011) resolves to another date: it does not exist.
    if (DateTime.fromISO(date, { zone: timeZone }).startOf('day').toISODate() !== date) return false;
    const weekday = DateTime.fromISO(date, { zone: 'UTC' }).weekday;
    if (this.weekendOf(jurisdiction).includes(weekday)) return false;
    const year = Number(date.slice(0, 4));
    // A holiday of the year before may run into this one (a span over New Year).
    return !this.closedDates(jurisdiction, timeZone, year).has(date) && !this.closedDates(jurisdiction, timeZone, year - 1).has(date);
  }

  /** The deadline of `n` working days from `from` (see the file comment), with the days counted. */
  deadline(from: Date, n: number, jurisdiction: string, timeZone: string): { deadline: Date; countedDays: string[] } {
    const countedDays: string[] = [];
    let date = this.localDateOf(from, timeZone);
    for (let walked = 0; countedDays.length < n; walked++) {
      if (walked > MAX_WALK_DAYS) throw new RangeError(`no ${n} working days within ${MAX_WALK_DAYS} days of ${from.toISOString()} in ${jurisdiction}`);
      date = nextDate(date);
      if (this.isWorkingDay(date, jurisdiction, timeZone)) countedDays.push(date);
    }
    const deadline = DateTime.fromISO(date, { zone: timeZone }).endOf('day').toJSDate();
    return { deadline, countedDays };
  }

  private weekendOf(jurisdiction: string): readonly number[] {
    const country = partsOf(jurisdiction)[0];
    let weekend = this.weekends.get(country);
    if (weekend === undefined) {
      weekend = weekendOf(country);
      this.weekends.set(country, weekend);
    }
    return weekend;
  }

  /**
   * Local dates of the holidays date-holidays lists for `year` that close offices all day: of an
   * excluded type, covering the date from its local midnight. A holiday covers its own date (the
   * date part of its `date`, also when it starts the evening before) up to the local date of its
   * end (exclusive); its first date is partial when it starts after that date's local midnight.
   */
  private closedDates(jurisdiction: string, timeZone: string, year: number): ReadonlySet<string> {
    const key = `${jurisdiction}|${timeZone}|${year}`;
    let dates = this.closed.get(key);
    if (dates !== undefined) return dates;
    const set = new Set<string>();
    for (const h of holidaysOf(jurisdiction, timeZone).getHolidays(year)) {
      if (!EXCLUDED_HOLIDAY_TYPES.includes(h.type)) continue;
      const first = h.date.slice(0, 10);
      const midnight = DateTime.fromISO(first, { zone: timeZone }).startOf('day').toMillis();
      const partial = h.start.getTime() > midnight;
      const last = DateTime.fromMillis(h.end.getTime() - 1, { zone: timeZone }).toISODate()!;
      for (let d = first, i = 0; d <= last && i < 366; d = nextDate(d), i++) {
        if (d === first && partial) continue;
        set.add(d);
      }
    }
    dates = set;
    this.closed.set(key, dates);
    return dates;
  }
}
