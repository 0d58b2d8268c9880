import { cldrWeekend, weekendOn } from './weekend.js';
import { WorkingDayCalendar } from './working-days.js';

const calendar = new WorkingDayCalendar();
const iso = (d: Date) => d.toISOString();

describe('cldrWeekend (CLDR week data of the runtime)', () => {
  it.each([
    ['IL', [5, 6]],
    ['SA', [5, 6]],
    ['EG', [5, 6]],
    ['IR', [5]],
    ['IN', [7]],
    ['AE', [6, 7]],
    ['GB', [6, 7]],
    ['US', [6, 7]],
  ])('%s rests on %j', (country, days) => {
    expect(cldrWeekend(country)).toEqual(days);
  });
});

describe('weekendOn (CLDR now, the dated table before a change by law)', () => {
  it('gives the UAE Thursday-Friday, then Friday-Saturday, then Saturday-Sunday', () => {
    expect(weekendOn('AE', '2006-08-31').days).toEqual([4, 5]);
    expect(weekendOn('AE', '2006-09-01').days).toEqual([5, 6]);
    expect(weekendOn('AE', '2021-12-31').days).toEqual([5, 6]);
    expect(weekendOn('AE', '2022-01-01')).toEqual({ days: [6, 7], from: '2022-01-01', until: null, source: 'CLDR' });
  });

  it('gives Saudi Arabia Thursday-Friday until 28 June 2013', () => {
    expect(weekendOn('SA', '2013-06-28').days).toEqual([4, 5]);
    expect(weekendOn('SA', '2013-06-29').days).toEqual([5, 6]);
    expect(weekendOn('SA', '2013-06-28').source).toMatch(/Royal Decree/);
  });

  it('is CLDR for a country without changes, at any date', () => {
    expect(weekendOn('IL', '1990-01-01')).toEqual({ days: [5, 6], from: null, until: null, source: 'CLDR' });
    expect(() => weekendOn('IL', '2025-02-30')).toThrow(RangeError);
  });
});

describe('deadlines over other weekends', () => {
  it('IR rests on Friday only: Thursday and Saturday are working days', () => {
    expect(calendar.isWorkingDay('2025-07-10', 'IR')).toBe(true); // Thu
    expect(calendar.isWorkingDay('2025-07-11', 'IR')).toBe(false); // Fri
    expect(calendar.isWorkingDay('2025-07-12', 'IR')).toBe(true); // Sat
    // D = Wed 9 Jul 2025 (Tehran, +03:30): Thu 10, Sat 12.
    expect(iso(calendar.addWorkingDays(new Date('2025-07-09T08:00:00Z'), 2, 'IR'))).toBe('2025-07-12T20:29:59.999Z');
  });

  it('SA: a deadline in June 2013 uses the weekend in force on each date', () => {
    // D = Wed 26 Jun 2013: Thu 27 and Fri 28 (old weekend), Sat 29 (new weekend) are off; Sun 30 counts.
    const result = calendar.deadline(new Date('2013-06-26T09:00:00Z'), 1, 'SA');
    expect(iso(result.deadline)).toBe('2013-06-30T20:59:59.999Z');
    expect(result.weekends.map((w) => w.days)).toEqual([
      [4, 5],
      [5, 6],
    ]);
  });

  it('AE: a deadline in 2021 uses the 2021 weekend; one crossing New Year 2022 uses both', () => {
    // D = Wed 22 Dec 2021: Thu 23, (Fri 24, Sat 25 off), Sun 26 .. Wed 29.
    const before = calendar.deadline(new Date('2021-12-22T06:00:00Z'), 5, 'AE');
    expect(iso(before.deadline)).toBe('2021-12-29T19:59:59.999Z');
    expect(before.weekends.map((w) => w.days)).toEqual([[5, 6]]);
    // D = Tue 28 Dec 2021: Wed 29, Thu 30, (Fri 31 old weekend; Sat 1 Jan holiday and new weekend; Sun 2), Mon 3 .. Wed 5.
    const across = calendar.deadline(new Date('2021-12-28T06:00:00Z'), 5, 'AE');
    expect(iso(across.deadline)).toBe('2022-01-05T19:59:59.999Z');
    expect(across.countedDays).toEqual(['2021-12-29', '2021-12-30', '2022-01-03', '2022-01-04', '2022-01-05']);
    expect(across.weekends.map((w) => w.days)).toEqual([
      [5, 6],
      [6, 7],
    ]);
  });
});
