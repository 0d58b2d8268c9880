/**
 * Where holiday data comes from. The default reads `date-holidays`; tests inject a wrapper (e.g. to count
 * calls). Only the fields the calendar uses are part of the contract.
 */
import Holidays from 'date-holidays';
import type { HolidayType } from './holiday-type.js';
import type { Jurisdiction } from './jurisdiction.js';

export interface SourceHoliday {
  /**
   * Local start as `date-holidays` writes it: 'YYYY-MM-DD hh:mm:ss' with an optional ' -hhmm' shift. The
   * date part is the holiday's own date, also for one that starts the evening before ('2027-06-11 00:00:00
   * -0600' starts at 18:00 on 10 June and is the holiday of 11 June).
   */
  readonly date: string;
  /** Start of the holiday, as an instant. Later than the local midnight of its date: a partial day. */
  readonly start: Date;
  /** End of the holiday (exclusive), as an instant. */
  readonly end: Date;
  readonly type: HolidayType;
  readonly name: string;
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

export const dateHolidaysSource: HolidaySourceFactory = ({ country, subdivision, region }, timeZone) =>
  subdivision === undefined
    ? new Holidays(country, { timezone: timeZone })
    : region === undefined
      ? new Holidays(country, subdivision, { timezone: timeZone })
      : new Holidays(country, subdivision, region, { timezone: timeZone });
