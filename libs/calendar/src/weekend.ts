/**
 * The weekend of a country on a date (ARCHITECTURE.md §2): CLDR week data as the runtime's ICU has it
 * (`new Intl.Locale('und-IL').weekInfo.weekend` → [5, 6], Friday–Saturday), and before a change by law the
 * weekend of the dated table in weekend-changes.ts.
 */
import { epochDayOf, type IsoWeekday, type LocalDate } from './local-date.js';
import { WEEKEND_CHANGES } from './weekend-changes.js';

export type { IsoWeekday };

/** The weekend in force for a period. */
export interface WeekendRule {
  readonly days: readonly IsoWeekday[];
  /** First date of the period, or null from the beginning of time. */
  readonly from: LocalDate | null;
  /** First date after the period, or null while in force. */
  readonly until: LocalDate | null;
  /** Where the rule comes from: 'CLDR' or the law in weekend-changes.ts. */
  readonly source: string;
}

/** Weekend days as a bit mask (bit `weekday`), for the per-day hot path. */
export interface WeekendPeriodMask {
  readonly untilEpochDay: number;
  readonly mask: number;
  readonly rule: WeekendRule;
}

const SATURDAY_SUNDAY: readonly IsoWeekday[] = [6, 7];
const periods = new Map<string, readonly WeekendPeriodMask[]>();

interface WeekInfo {
  readonly weekend?: readonly number[];
}

/** CLDR's current weekend for `country` (Node 20 has the `weekInfo` getter, later runtimes `getWeekInfo()`). */
export function cldrWeekend(country: string): readonly IsoWeekday[] {
  const locale = new Intl.Locale(`und-${country}`) as Intl.Locale & { weekInfo?: WeekInfo; getWeekInfo?: () => WeekInfo };
  const info = typeof locale.getWeekInfo === 'function' ? locale.getWeekInfo() : locale.weekInfo;
  const days = (info?.weekend ?? []).filter((d): d is IsoWeekday => Number.isInteger(d) && d >= 1 && d <= 7);
  // A runtime without week data would otherwise make every day a working day.
  return Object.freeze(days.length > 0 ? [...days].sort() : SATURDAY_SUNDAY);
}

function maskOf(days: readonly IsoWeekday[]): number {
  return days.reduce((mask, day) => mask | (1 << day), 0);
}

/** The weekend periods of `country`, oldest first; the last one is CLDR's and open-ended. Cached. */
export function weekendPeriods(country: string): readonly WeekendPeriodMask[] {
  let found = periods.get(country);
  if (!found) {
    const list: WeekendPeriodMask[] = [];
    let from: LocalDate | null = null;
    for (const change of WEEKEND_CHANGES[country] ?? []) {
      const rule: WeekendRule = Object.freeze({ days: change.days, from, until: change.until, source: change.source });
      list.push({ untilEpochDay: epochDayOf(change.until)!, mask: maskOf(change.days), rule });
      from = change.until;
    }
    const days = cldrWeekend(country);
    const current: WeekendRule = Object.freeze({ days, from, until: null, source: 'CLDR' });
    list.push({ untilEpochDay: Number.POSITIVE_INFINITY, mask: maskOf(days), rule: current });
    found = Object.freeze(list);
    periods.set(country, found);
  }
  return found;
}

/** The weekend period of `country` in force on the date `epochDay` days after 1970-01-01. */
export function weekendPeriodOn(country: string, epochDay: number): WeekendPeriodMask {
  const list = weekendPeriods(country);
  for (const period of list) if (epochDay < period.untilEpochDay) return period;
  return list[list.length - 1];
}

/**
 * The weekend of `country` (ISO 3166 code) in force on `date`.
 * @throws RangeError for a malformed date.
 */
export function weekendOn(country: string, date: LocalDate): WeekendRule {
  const epochDay = epochDayOf(date);
  if (epochDay === undefined) throw new RangeError(`date must be a calendar date 'YYYY-MM-DD', got ${JSON.stringify(date)}`);
  return weekendPeriodOn(country, epochDay).rule;
}
