import { UnknownJurisdictionError } from './errors.js';
import { datesOf, HolidayCache, isPartial } from './holiday-cache.js';
import { dateHolidaysSource, type HolidaySourceFactory } from './holiday-source.js';
import { WorkingDayCalendar } from './working-days.js';

/** A date-holidays source that records every getHolidays call. */
function countingSource(): { factory: HolidaySourceFactory; calls: string[]; created: string[] } {
  const calls: string[] = [];
  const created: string[] = [];
  const factory: HolidaySourceFactory = (jurisdiction, timeZone) => {
    const code = jurisdiction.subdivision ? `${jurisdiction.country}-${jurisdiction.subdivision}` : jurisdiction.country;
    created.push(`${code}@${timeZone}`);
    const real = dateHolidaysSource(jurisdiction, timeZone);
    return {
      getHolidays: (year: number) => {
        calls.push(`${code}:${year}`);
        return real.getHolidays(year);
      },
    };
  };
  return { factory, calls, created };
}

describe('datesOf (the local dates a date-holidays holiday covers)', () => {
  it('is the date part of a one-day holiday', () => {
    expect(datesOf({ date: '2026-12-25 00:00:00', end: new Date('2026-12-26T00:00:00Z') }, 'Europe/London')).toEqual(['2026-12-25']);
  });

  it('covers the whole date of a holiday that starts in the afternoon (DE Heiliger Abend from 14:00)', () => {
    expect(datesOf({ date: '2025-12-24 14:00:00', end: new Date('2025-12-24T23:00:00Z') }, 'Europe/Berlin')).toEqual(['2025-12-24']);
  });

  it('covers every date of a multi-day holiday but not the eve of one starting at sunset', () => {
    // AE Eid al-Fitr 2024, rule '1 Shawwal P3D': starts 2024-04-09 18:00 +04, ends 2024-04-12 18:00 +04.
    expect(datesOf({ date: '2024-04-10 00:00:00 -0600', end: new Date('2024-04-12T14:00:00Z') }, 'Asia/Dubai')).toEqual([
      '2024-04-10',
      '2024-04-11',
      '2024-04-12',
    ]);
  });

  it('reads the end in the zone when a DST change shortens the span (BA Ramazanski bajram 2025)', () => {
    // BA Ramazanski bajram 2025 '1 Shawwal P3D': 2025-03-29 18:00 CET .. 2025-04-01 18:00 CEST (71 real hours).
    expect(datesOf({ date: '2025-03-30 00:00:00 -0600', end: new Date('2025-04-01T16:00:00Z') }, 'Europe/Sarajevo')).toEqual([
      '2025-03-30',
      '2025-03-31',
      '2025-04-01',
    ]);
  });

  it('keeps the own date when the end is missing or broken', () => {
    expect(datesOf({ date: '2026-01-01 00:00:00', end: new Date('nope') }, 'UTC')).toEqual(['2026-01-01']);
  });
});

describe('isPartial (a holiday starting after local midnight of its own date)', () => {
  it('is true for a start in the afternoon or evening', () => {
    expect(isPartial({ date: '2025-12-24 14:00:00', start: new Date('2025-12-24T13:00:00Z') }, 'Europe/Berlin')).toBe(true);
    expect(isPartial({ date: '2025-12-24 19:00:00', start: new Date('2025-12-24T08:30:00Z') }, 'Australia/Adelaide')).toBe(true);
  });

  it('is false for a whole day and for a holiday that begins the evening before its date', () => {
    expect(isPartial({ date: '2025-12-25 00:00:00', start: new Date('2025-12-24T23:00:00Z') }, 'Europe/Berlin')).toBe(false);
    // IL Pesach 2025: '2025-04-13 00:00:00 -0600' starts at 18:00 on 12 April: all of 13 April is the holiday.
    expect(isPartial({ date: '2025-04-13 00:00:00 -0600', start: new Date('2025-04-12T15:00:00Z') }, 'Asia/Jerusalem')).toBe(false);
    expect(isPartial({ date: '2025-04-13 00:00:00', start: new Date('nope') }, 'UTC')).toBe(false);
  });

  it('marks only the first date of such a holiday, and the evening-start holiday on its own date', () => {
    const cache = new HolidayCache();
    const il = cache.holidaysByDate('IL', 2025);
    expect(il.get('2025-04-13')).toEqual([expect.objectContaining({ type: 'public', partial: false })]);
    expect(il.has('2025-04-12')).toBe(false);
    expect(cache.excludedDates('IL', 2025, ['public']).has('2025-04-13')).toBe(true);
  });
});

describe('HolidayCache', () => {
  it('counts a multi-day holiday that crosses New Year in both years (SZ Incwala: six days from 28 December)', () => {
    const cache = new HolidayCache();
    const y2025 = cache.excludedDates('SZ', 2025, ['public']);
    const y2026 = cache.excludedDates('SZ', 2026, ['public']);
    for (const date of ['2025-12-28', '2025-12-29', '2025-12-30', '2025-12-31']) expect(y2025.has(date)).toBe(true);
    expect(y2026.has('2026-01-02')).toBe(true); // only Incwala (rules of 2025) makes 2 January a holiday
    expect(y2026.has('2026-01-03')).toBe(false);
    expect([...y2025].every((date) => date.startsWith('2025-'))).toBe(true);
  });

  it('counts a substitute day in the year it falls in (US New Year 2022 observed on Friday 2021-12-31)', () => {
    const cache = new HolidayCache();
    expect(cache.excludedDates('US-NY', 2021, ['public']).has('2021-12-31')).toBe(true);
    expect(cache.excludedDates('US-NY', 2022, ['public']).has('2021-12-31')).toBe(false);
  });

  it('filters by type', () => {
    const cache = new HolidayCache();
    // DE-BY 2025: Heiliger Abend and Silvester are 'bank' from 14:00 (partial), Christmas 'public',
    // Buß- und Bettag 'school'.
    const both = cache.excludedDates('DE-BY', 2025, ['public', 'bank'], 'off');
    const publicOnly = cache.excludedDates('DE-BY', 2025, ['public'], 'off');
    const school = cache.excludedDates('DE-BY', 2025, ['school']);
    expect(both.has('2025-12-24') && both.has('2025-12-31') && both.has('2025-12-25')).toBe(true);
    expect(publicOnly.has('2025-12-24') || publicOnly.has('2025-12-31')).toBe(false);
    expect(publicOnly.has('2025-12-25')).toBe(true);
    expect(school.has('2025-11-19')).toBe(true);
    expect(cache.excludedDates('DE-BY', 2025, [])).toEqual(new Set());
  });

  it('leaves partial holidays out unless they count as days off (DE-BY Heiliger Abend and Silvester from 14:00)', () => {
    const cache = new HolidayCache();
    const working = cache.excludedDates('DE-BY', 2025, ['public', 'bank']);
    expect(working.has('2025-12-24') || working.has('2025-12-31')).toBe(false);
    expect(working.has('2025-12-25')).toBe(true);
    const day = cache.holidaysByDate('DE-BY', 2025).get('2025-12-24');
    expect(day).toEqual([{ date: '2025-12-24', type: 'bank', name: 'Heiliger Abend', partial: true }]);
    expect(() => cache.excludedDates('DE-BY', 2025, ['public'], 'half' as never)).toThrow(/partialHolidays must be one of working, off/);
  });

  it('calls date-holidays once per jurisdiction and year, whatever the number of lookups or calendars', () => {
    const { factory, calls, created } = countingSource();
    const holidayCache = new HolidayCache(factory);
    const calendar = new WorkingDayCalendar({ holidayCache });
    const publicOnly = new WorkingDayCalendar({ holidayCache, excludedTypes: ['public'] });

    for (let day = 0; day < 300; day++) {
      const instant = new Date(Date.UTC(2026, 0, 1) + day * 86_400_000);
      calendar.addWorkingDays(instant, 10, 'GB-SCT');
      publicOnly.addWorkingDays(instant, 10, 'GB-SCT');
      calendar.isWorkingDay('2026-06-01', 'GB-SCT');
    }
    expect(created).toEqual(['GB-SCT@Europe/London']);
    // The set of 2026 also reads the rules of 2025 and 2027 (holidays of one year's rules can fall in another).
    expect([...calls].sort()).toEqual(['GB-SCT:2025', 'GB-SCT:2026', 'GB-SCT:2027']);

    calendar.holidaysOf('GB-SCT', 2027);
    expect([...calls].sort()).toEqual(['GB-SCT:2025', 'GB-SCT:2026', 'GB-SCT:2027', 'GB-SCT:2028']);
    expect(calendar.holidaysOf('GB-SCT', 2026)).toBe(calendar.holidaysOf('GB-SCT', 2026));
  });

  it('rejects unknown jurisdictions and years without creating a source', () => {
    const { factory, created } = countingSource();
    const cache = new HolidayCache(factory);
    expect(() => cache.excludedDates('XX', 2026, ['public'])).toThrow(UnknownJurisdictionError);
    expect(() => cache.excludedDates('GB-ZZZ', 2026, ['public'])).toThrow(UnknownJurisdictionError);
    expect(() => cache.excludedDates('GB', 2026.5, ['public'])).toThrow(RangeError);
    expect(() => cache.excludedDates('GB', 99, ['public'])).toThrow(/year/);
    expect(() => cache.excludedDates('GB', 2026, ['holiday' as never])).toThrow(/unknown holiday type "holiday"/);
    expect(created).toEqual([]);
  });
});
