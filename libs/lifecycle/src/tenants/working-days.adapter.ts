// The domain's WorkingDays port over libs/calendar, one cached calendar per set of excluded types.
import { WorkingDayCalendar, type HolidayCache, type HolidayType } from '@lethe/calendar';
import type { CalendarRequest, WorkingDays, WorkingDaysDeadline } from '@lethe/domain';

export class CalendarWorkingDays implements WorkingDays {
  private readonly calendars = new Map<string, WorkingDayCalendar>();

  /** `holidayCache`: where holidays come from; default the shared cache over date-holidays. */
  constructor(private readonly holidayCache?: HolidayCache) {}

  deadlineOf(instant: Date, n: number, c: CalendarRequest): WorkingDaysDeadline {
    const result = this.calendarFor(c.excludedHolidayTypes).deadline(instant, n, c.jurisdiction, {
      timeZone: c.timeZone,
      partialHolidays: c.partialHolidays,
      overrides: c.overrides,
    });
    return { deadline: result.deadline, weekends: result.weekends.map((w) => ({ from: w.from, days: [...w.days] })), overrideIds: result.overrideIds };
  }

  /** The shared calendar for a tenant's excluded holiday types. */
  calendarFor(excludedHolidayTypes: readonly string[]): WorkingDayCalendar {
    const key = [...excludedHolidayTypes].sort().join(',');
    let calendar = this.calendars.get(key);
    if (!calendar) {
      calendar = new WorkingDayCalendar({
        excludedTypes: excludedHolidayTypes as readonly HolidayType[],
        ...(this.holidayCache ? { holidayCache: this.holidayCache } : {}),
      });
      this.calendars.set(key, calendar);
    }
    return calendar;
  }
}
