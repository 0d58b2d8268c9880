/**
 * Where holiday data comes from. The default reads `date-holidays`; tests inject a wrapper (e.g. to count
 * calls). Only the three fields the calendar uses are part of the contract.
 */
import Holidays from 'date-holidays';
import type { HolidayType } from './holiday-type.js';
import type { Jurisdiction } from './jurisdiction.js';

export interface SourceHoliday {
  /** Local start as `date-holidays` writes it: 'YYYY-MM-DD hh:mm:ss' with an optional ' -hhmm' shift. */
  readonly date: string;
  /** End of the holiday (exclusive), as an instant. */
  readonly end: Date;
  readonly type: HolidayType;
}

export interface HolidaySource {
  /** All holidays (of every type) of rules that fall in `year`, like `Holidays#getHolidays(year)`. */
  getHolidays(year: number): readonly SourceHoliday[];
}

/**
 * Creates the source for one jurisdiction. `timeZone` is the zone the source must compute instants
 * (`end`) in; the calendar reads `end` back in that same zone.
 */
export type HolidaySourceFactory = (jurisdiction: Jurisdiction, timeZone: string) => HolidaySource;

export const dateHolidaysSource: HolidaySourceFactory = ({ country, subdivision }, timeZone) =>
  subdivision === undefined
    ? new Holidays(country, { timezone: timeZone })
    : new Holidays(country, subdivision, { timezone: timeZone });
