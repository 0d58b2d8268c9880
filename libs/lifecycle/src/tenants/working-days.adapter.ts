// The domain's WorkingDays port over libs/calendar, one cached calendar per set of excluded types.
import { WorkingDayCalendar, type HolidayType } from '@lethe/calendar';
import type { CalendarInputs, WorkingDays } from '@lethe/domain';

export class CalendarWorkingDays implements WorkingDays {
  private readonly calendars = new Map<string, WorkingDayCalendar>();

  addWorkingDays(instant: Date, n: number, c: CalendarInputs): Date {
    const key = [...c.excludedHolidayTypes].sort().join(',');
    let calendar = this.calendars.get(key);
    if (!calendar) {
      calendar = new WorkingDayCalendar({ excludedTypes: c.excludedHolidayTypes as readonly HolidayType[] });
      this.calendars.set(key, calendar);
    }
    return calendar.addWorkingDays(instant, n, c.jurisdiction, c.timeZone);
  }
}
