/**
 * Weekends changed by law. CLDR week data (weekend.ts) gives each country's weekend as it is now; a deadline
 * on a date before a change uses the weekend in force on that date (ARCHITECTURE.md §2). Each entry is one
 * earlier period: before `until` (and on or after the previous entry's `until`), the weekend was `days`.
 * Only countries `date-holidays` knows are listed (a jurisdiction must be one of them).
 *
 * Sources:
 * - AE: Thursday–Friday until 31 Aug 2006; Friday–Saturday from 1 Sep 2006 (Federal Government decision of
 *   2006, WAM); Saturday–Sunday from 1 Jan 2022 (UAE Government announcement of 7 Dec 2021, "UAE moves to
 *   4.5-day working week", u.ae / WAM).
 * - SA: Thursday–Friday until Friday 28 Jun 2013; Friday–Saturday from Saturday 29 Jun 2013 (Royal Decree
 *   of 23 Jun 2013, Saudi Press Agency).
 * - BH: Thursday–Friday until 31 Aug 2006; Friday–Saturday from 1 Sep 2006 (Bahrain Cabinet decision,
 *   2006, effective with the UAE change).
 * - DZ: Thursday–Friday until 13 Aug 2009; Friday–Saturday from Friday 14 Aug 2009 (Ordonnance n° 09-03
 *   of 2009 on the weekly rest, Journal officiel de la République algérienne).
 */
import type { IsoWeekday } from './local-date.js';

export interface WeekendPeriod {
  /** First date (exclusive bound, 'YYYY-MM-DD') on which this period's weekend no longer applies. */
  readonly until: string;
  readonly days: readonly IsoWeekday[];
  readonly source: string;
}

const THU_FRI: readonly IsoWeekday[] = [4, 5];
const FRI_SAT: readonly IsoWeekday[] = [5, 6];

/** Earlier weekend periods per ISO 3166 country, oldest first. */
export const WEEKEND_CHANGES: Readonly<Record<string, readonly WeekendPeriod[]>> = {
  AE: [
    { until: '2006-09-01', days: THU_FRI, source: 'AE: Thursday-Friday until 2006-08-31 (Federal Government decision, 2006)' },
    { until: '2022-01-01', days: FRI_SAT, source: 'AE: Friday-Saturday 2006-09-01 to 2021-12-31 (UAE Government announcement, 7 Dec 2021)' },
  ],
  SA: [{ until: '2013-06-29', days: THU_FRI, source: 'SA: Thursday-Friday until 2013-06-28 (Royal Decree of 23 Jun 2013)' }],
  BH: [{ until: '2006-09-01', days: THU_FRI, source: 'BH: Thursday-Friday until 2006-08-31 (Cabinet decision, 2006)' }],
  DZ: [{ until: '2009-08-14', days: THU_FRI, source: 'DZ: Thursday-Friday until 2009-08-13 (Ordonnance 09-03, 2009)' }],
};
