import { HolidayCache, WorkingDayCalendar } from '@lethe/calendar';
import { databasesToProbe, noHolidays, retirementLeadMs } from './sabotage.js';

describe('LETHE_SABOTAGE: the known defects, each a no-op unless chosen', () => {
  it('early-retirement: retirements decided and scheduled a day ahead', () => {
    expect(retirementLeadMs('early-retirement')).toBe(86_400_000);
    expect(retirementLeadMs(undefined)).toBe(0);
    expect(retirementLeadMs('skip-probe')).toBe(0);
  });

  it('holiday-as-working-day: a calendar on the empty holiday source counts Christmas as a working day', () => {
    const honest = new WorkingDayCalendar();
    const sabotaged = new WorkingDayCalendar({ holidayCache: new HolidayCache(noHolidays) });
    expect(honest.isWorkingDay('2026-12-25', 'DE-BY')).toBe(false);
    expect(sabotaged.isWorkingDay('2026-12-25', 'DE-BY')).toBe(true);
    // Weekends stay: only holidays are lost.
    expect(sabotaged.isWorkingDay('2026-12-26', 'DE-BY')).toBe(false);
  });

  it('skip-probe: the last database is left out of the probe', () => {
    expect(databasesToProbe(['db-1', 'db-2'], 'skip-probe')).toEqual(['db-1']);
    expect(databasesToProbe(['db-1', 'db-2'], null)).toEqual(['db-1', 'db-2']);
  });
});
