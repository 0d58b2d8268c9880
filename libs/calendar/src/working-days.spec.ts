/**
 * Hand-checked deadlines. Each block lists the holidays it relies on (checked against the official
 * calendars: gov.uk bank holidays for England and Scotland, Bavarian Feiertage, New York State holidays,
 * the Japanese Cabinet Office list) and the weekday of each date.
 */
import { UnknownJurisdictionError, UnknownTimeZoneError } from './errors.js';
import { addWorkingDays, isWorkingDay, MAX_WORKING_DAYS, WorkingDayCalendar } from './working-days.js';

const iso = (instant: Date): string => instant.toISOString();
const at = (text: string): Date => new Date(text);

describe('WorkingDayCalendar.addWorkingDays (examples)', () => {
  const calendar = new WorkingDayCalendar();

  describe('GB-ENG, late-May and August bank holidays 2026 (Spring bank holiday Mon 25 May, Summer bank holiday Mon 31 Aug)', () => {
    const friday = at('2026-05-22T09:00:00Z'); // Fri 22 May 10:00 BST

    it('skips the weekend and the Monday bank holiday; the day ends at 23:59:59.999 BST', () => {
      expect(iso(calendar.addWorkingDays(friday, 1, 'GB-ENG'))).toBe('2026-05-26T22:59:59.999Z'); // Tue 26
      expect(iso(calendar.addWorkingDays(friday, 5, 'GB-ENG'))).toBe('2026-06-01T22:59:59.999Z'); // Tue..Fri, Mon 1 Jun
    });

    it('does the same before the August bank holiday', () => {
      expect(iso(calendar.addWorkingDays(at('2026-08-28T16:00:00Z'), 1, 'GB-ENG'))).toBe('2026-09-01T22:59:59.999Z'); // Tue 1 Sep
    });

    it('never counts day D, whatever it is: a Saturday, the bank holiday itself, a working day', () => {
      expect(iso(calendar.addWorkingDays(at('2026-05-23T12:00:00Z'), 1, 'GB-ENG'))).toBe('2026-05-26T22:59:59.999Z'); // Sat
      expect(iso(calendar.addWorkingDays(at('2026-05-25T09:00:00Z'), 1, 'GB-ENG'))).toBe('2026-05-26T22:59:59.999Z'); // Mon (holiday)
      expect(iso(calendar.addWorkingDays(at('2026-05-26T07:00:00Z'), 1, 'GB-ENG'))).toBe('2026-05-27T22:59:59.999Z'); // Tue (working)
    });

    it('takes D in local time at midnight: 23:00Z on Thu 21 May is already Friday in London', () => {
      expect(iso(calendar.addWorkingDays(at('2026-05-21T22:59:59.999Z'), 1, 'GB-ENG'))).toBe('2026-05-22T22:59:59.999Z'); // D = Thu
      expect(iso(calendar.addWorkingDays(at('2026-05-21T23:00:00.000Z'), 1, 'GB-ENG'))).toBe('2026-05-26T22:59:59.999Z'); // D = Fri
    });

    it('ends the day in GMT or BST as it falls, across the change of 29 March 2026', () => {
      expect(iso(calendar.addWorkingDays(at('2026-03-26T12:00:00Z'), 1, 'GB-ENG'))).toBe('2026-03-27T23:59:59.999Z'); // Fri, GMT
      expect(iso(calendar.addWorkingDays(at('2026-03-27T12:00:00Z'), 1, 'GB-ENG'))).toBe('2026-03-30T22:59:59.999Z'); // Mon, BST
    });

    it("uses the tenant's time zone when given, for D and for the end of the day", () => {
      const instant = at('2026-05-22T03:30:00Z'); // Thu 21 May 23:30 EDT, Fri 22 May 04:30 BST
      expect(iso(calendar.addWorkingDays(instant, 1, 'GB-ENG'))).toBe('2026-05-26T22:59:59.999Z');
      expect(iso(calendar.addWorkingDays(instant, 1, 'GB-ENG', 'America/New_York'))).toBe('2026-05-23T03:59:59.999Z'); // Fri 22 EDT
    });
  });

  describe('GB-SCT, Christmas and New Year (2025: Thu 25, Fri 26 Dec; 2026: Thu 1, Fri 2 Jan)', () => {
    const christmasEve = at('2025-12-24T12:00:00Z'); // Wed

    it('skips Christmas, Boxing Day, the weekend, 1 and 2 January', () => {
      expect(iso(calendar.addWorkingDays(christmasEve, 1, 'GB-SCT'))).toBe('2025-12-29T23:59:59.999Z'); // Mon 29
      expect(iso(calendar.addWorkingDays(christmasEve, 3, 'GB-SCT'))).toBe('2025-12-31T23:59:59.999Z'); // Mon 29, Tue 30, Wed 31
      expect(iso(calendar.addWorkingDays(christmasEve, 4, 'GB-SCT'))).toBe('2026-01-05T23:59:59.999Z'); // Mon 5 Jan
    });

    it('differs from England, where 2 January is a working day', () => {
      expect(iso(calendar.addWorkingDays(christmasEve, 4, 'GB-ENG'))).toBe('2026-01-02T23:59:59.999Z');
    });

    it("skips the St Andrew's Day substitute (30 Nov 2025 is a Sunday, so Monday 1 Dec is off)", () => {
      const friday = at('2025-11-28T15:00:00Z');
      expect(iso(calendar.addWorkingDays(friday, 1, 'GB-SCT'))).toBe('2025-12-02T23:59:59.999Z'); // Tue 2 Dec
      expect(iso(calendar.addWorkingDays(friday, 1, 'GB-ENG'))).toBe('2025-12-01T23:59:59.999Z'); // Mon 1 Dec
    });

    it('skips substitutes across the year end (Fri 25 Dec 2026, Boxing Day Sat -> Mon 28; Fri 1 Jan 2027, 2 Jan Sat -> Mon 4)', () => {
      const thursday = at('2026-12-24T12:00:00Z');
      expect(iso(calendar.addWorkingDays(thursday, 1, 'GB-SCT'))).toBe('2026-12-29T23:59:59.999Z'); // Tue 29
      expect(iso(calendar.addWorkingDays(thursday, 3, 'GB-SCT'))).toBe('2026-12-31T23:59:59.999Z'); // Tue 29, Wed 30, Thu 31
      expect(iso(calendar.addWorkingDays(thursday, 4, 'GB-SCT'))).toBe('2027-01-05T23:59:59.999Z'); // Tue 5 Jan
      expect(iso(calendar.addWorkingDays(thursday, 4, 'GB-ENG'))).toBe('2027-01-04T23:59:59.999Z'); // Mon 4 Jan (England)
    });
  });

  describe('DE-BY around Christmas 2025 (Heiligabend Wed 24 and Silvester Wed 31 Dec are bank from 14:00; 25, 26 Dec, 1 and 6 Jan public)', () => {
    const tuesday = at('2025-12-23T09:00:00Z'); // 10:00 CET

    it('counts the afternoon bank holidays as working days by default (offices are open that morning)', () => {
      expect(iso(calendar.addWorkingDays(tuesday, 1, 'DE-BY'))).toBe('2025-12-24T22:59:59.999Z'); // Wed 24
      expect(iso(calendar.addWorkingDays(tuesday, 4, 'DE-BY'))).toBe('2025-12-31T22:59:59.999Z'); // 24, 29, 30, Wed 31
      expect(iso(calendar.addWorkingDays(tuesday, 5, 'DE-BY'))).toBe('2026-01-02T22:59:59.999Z'); // Fri 2 Jan
    });

    it("excludes them with partialHolidays 'off'", () => {
      const off = { partialHolidays: 'off' } as const;
      expect(iso(calendar.addWorkingDays(tuesday, 1, 'DE-BY', undefined, off))).toBe('2025-12-29T22:59:59.999Z'); // Mon 29, 23:59:59.999 CET
      expect(iso(calendar.addWorkingDays(tuesday, 3, 'DE-BY', undefined, off))).toBe('2026-01-02T22:59:59.999Z'); // 29, 30, Fri 2 Jan
      expect(iso(calendar.addWorkingDays(tuesday, 4, 'DE-BY', undefined, off))).toBe('2026-01-05T22:59:59.999Z'); // Mon 5 Jan
      expect(iso(calendar.addWorkingDays(tuesday, 5, 'DE-BY', undefined, off))).toBe('2026-01-07T22:59:59.999Z'); // Wed 7 (6 Jan is off)
    });

    it("counts them with excludedTypes ['public']", () => {
      const publicOnly = new WorkingDayCalendar({ excludedTypes: ['public'] });
      expect(iso(publicOnly.addWorkingDays(tuesday, 1, 'DE-BY'))).toBe('2025-12-24T22:59:59.999Z'); // Wed 24
      expect(iso(publicOnly.addWorkingDays(tuesday, 3, 'DE-BY'))).toBe('2025-12-30T22:59:59.999Z'); // 24, 29, 30
      expect(iso(publicOnly.addWorkingDays(tuesday, 4, 'DE-BY'))).toBe('2025-12-31T22:59:59.999Z'); // Wed 31
      expect(iso(addWorkingDays(tuesday, 4, 'DE-BY', { excludedTypes: ['public'] }))).toBe('2025-12-31T22:59:59.999Z');
    });
  });

  describe('US-NY 2026 (Independence Day Sat 4 Jul observed Fri 3 Jul; Thanksgiving Thu 26 Nov; Lincoln\'s Birthday Thu 12 Feb)', () => {
    it('skips the observed Independence Day; the day ends at 23:59:59.999 EDT', () => {
      expect(iso(calendar.addWorkingDays(at('2026-07-02T15:00:00Z'), 1, 'US-NY'))).toBe('2026-07-07T03:59:59.999Z'); // Mon 6 Jul
    });

    it('skips Thanksgiving but not the day after (an observance); EST', () => {
      expect(iso(calendar.addWorkingDays(at('2026-11-25T17:00:00Z'), 1, 'US-NY'))).toBe('2026-11-28T04:59:59.999Z'); // Fri 27 Nov
    });

    it("skips Lincoln's Birthday, a New York State holiday", () => {
      expect(iso(calendar.addWorkingDays(at('2026-02-11T17:00:00Z'), 1, 'US-NY'))).toBe('2026-02-14T04:59:59.999Z'); // Fri 13
      expect(iso(calendar.addWorkingDays(at('2026-02-11T17:00:00Z'), 1, 'US-CA'))).toBe('2026-02-13T07:59:59.999Z'); // Thu 12, PST
    });

    it('crosses the DST change of Sun 8 Mar 2026', () => {
      expect(iso(calendar.addWorkingDays(at('2026-03-06T17:00:00Z'), 1, 'US-NY'))).toBe('2026-03-10T03:59:59.999Z'); // Mon 9, EDT
    });
  });

  describe('JP (Golden Week 2026: Wed 29 Apr, Sun 3 May, Mon 4, Tue 5, Wed 6 May substitute; banks close 31 Dec - 3 Jan)', () => {
    it('takes D in Tokyo: 23:30Z on Mon 2 Mar is already Tue 3 Mar there', () => {
      expect(iso(calendar.addWorkingDays(at('2026-03-02T23:30:00Z'), 1, 'JP'))).toBe('2026-03-04T14:59:59.999Z'); // Wed 4
      expect(iso(calendar.addWorkingDays(at('2026-03-02T14:59:59.999Z'), 1, 'JP'))).toBe('2026-03-03T14:59:59.999Z'); // D = Mon 2
    });

    it('skips Golden Week and its substitute day', () => {
      const thursday = at('2026-04-30T02:00:00Z');
      expect(iso(calendar.addWorkingDays(thursday, 1, 'JP'))).toBe('2026-05-01T14:59:59.999Z'); // Fri 1 May
      expect(iso(calendar.addWorkingDays(thursday, 2, 'JP'))).toBe('2026-05-07T14:59:59.999Z'); // Thu 7 May
    });

    it('skips the bank closure at New Year by default, not with public holidays only', () => {
      const tuesday = at('2025-12-30T03:00:00Z');
      expect(iso(calendar.addWorkingDays(tuesday, 1, 'JP'))).toBe('2026-01-05T14:59:59.999Z'); // Mon 5 Jan
      expect(iso(new WorkingDayCalendar({ excludedTypes: ['public'] }).addWorkingDays(tuesday, 1, 'JP'))).toBe('2025-12-31T14:59:59.999Z');
    });
  });

  describe('argument checks', () => {
    const instant = at('2026-05-22T09:00:00Z');

    it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_WORKING_DAYS + 1])('rejects n = %p with a RangeError naming n', (n) => {
      expect(() => calendar.addWorkingDays(instant, n, 'GB-ENG')).toThrow(RangeError);
      expect(() => calendar.addWorkingDays(instant, n, 'GB-ENG')).toThrow(/^n must be an integer/);
    });

    it('accepts n = MAX_WORKING_DAYS', () => {
      expect(calendar.addWorkingDays(instant, MAX_WORKING_DAYS, 'GB-ENG').getTime()).toBeGreaterThan(instant.getTime());
    });

    it('rejects an invalid instant', () => {
      expect(() => calendar.addWorkingDays(new Date('nope'), 1, 'GB-ENG')).toThrow(/instant must be a valid Date/);
    });

    it.each(['XX', 'GB-ZZZ'])('rejects the unknown jurisdiction %s', (jurisdiction) => {
      expect(() => calendar.addWorkingDays(instant, 1, jurisdiction)).toThrow(UnknownJurisdictionError);
      expect(() => calendar.isWorkingDay('2026-05-22', jurisdiction)).toThrow(UnknownJurisdictionError);
      expect(() => calendar.holidaysOf(jurisdiction, 2026)).toThrow(UnknownJurisdictionError);
      expect(() => addWorkingDays(instant, 1, jurisdiction)).toThrow(new RegExp(`"${jurisdiction}"`));
    });

    it('rejects an unknown time zone', () => {
      expect(() => calendar.addWorkingDays(instant, 1, 'GB-ENG', 'Europe/Londres')).toThrow(UnknownTimeZoneError);
      expect(() => addWorkingDays(instant, 1, 'GB-ENG', { timeZone: 'Nowhere/Special' })).toThrow(/"Nowhere\/Special"/);
    });

    it('rejects unknown holiday types', () => {
      expect(() => new WorkingDayCalendar({ excludedTypes: ['public', 'national' as never] })).toThrow(RangeError);
    });
  });
});

describe('isWorkingDay', () => {
  it.each([
    ['2026-05-22', 'GB-ENG', true], // Friday
    ['2026-05-23', 'GB-ENG', false], // Saturday
    ['2026-05-25', 'GB-ENG', false], // Spring bank holiday
    ['2026-01-02', 'GB-ENG', true],
    ['2026-01-02', 'GB-SCT', false], // 2 January
    ['2026-04-06', 'GB-SCT', true], // Easter Monday is no holiday in Scotland
    ['2026-04-06', 'GB-ENG', false],
    ['2026-08-03', 'GB-SCT', false], // Scottish summer bank holiday: first Monday in August
    ['2026-12-28', 'GB-ENG', false], // Boxing Day substitute
    ['2025-12-24', 'DE-BY', true], // Heiligabend (bank, from 14:00: a partial day)
    ['2025-12-25', 'DE-BY', false],
    ['2025-11-19', 'DE-BY', true], // Buß- und Bettag is a school holiday in Bavaria only
    ['2026-07-03', 'US-NY', false],
    ['2026-11-27', 'US-NY', true],
    ['2026-05-06', 'JP', false],
    ['2026-05-08', 'FR', false], // Victoire 1945
    ['2026-04-03', 'IE', false], // Good Friday: a bank holiday in Ireland, not a public one
  ])('%s in %s: %p', (date, jurisdiction, expected) => {
    expect(isWorkingDay(date, jurisdiction)).toBe(expected);
  });

  it('honours excludedTypes and partialHolidays', () => {
    expect(isWorkingDay('2025-12-24', 'DE-BY', { partialHolidays: 'off' })).toBe(false);
    expect(isWorkingDay('2025-12-24', 'DE-BY', { excludedTypes: ['public'], partialHolidays: 'off' })).toBe(true);
    expect(isWorkingDay('2026-04-03', 'IE', { excludedTypes: ['public'] })).toBe(true);
    expect(isWorkingDay('2025-11-19', 'DE-BY', { excludedTypes: ['public', 'bank', 'school'] })).toBe(false);
    expect(isWorkingDay('2026-05-25', 'GB-ENG', { excludedTypes: [] })).toBe(true);
    expect(isWorkingDay('2026-05-23', 'GB-ENG', { excludedTypes: [] })).toBe(false);
  });

  it('rejects malformed dates', () => {
    expect(() => isWorkingDay('2026-02-30', 'GB')).toThrow(RangeError);
    expect(() => isWorkingDay('22/05/2026', 'GB')).toThrow(/localDate must be a calendar date/);
  });
});

describe('holidaysOf', () => {
  it('lists the excluded dates of a year, substitutes included', () => {
    expect([...new WorkingDayCalendar().holidaysOf('GB-ENG', 2026)].sort()).toEqual([
      '2026-01-01',
      '2026-04-03',
      '2026-04-06',
      '2026-05-04',
      '2026-05-25',
      '2026-08-31',
      '2026-12-25',
      '2026-12-26',
      '2026-12-28',
    ]);
    expect([...new WorkingDayCalendar().holidaysOf('GB-SCT', 2025)].sort()).toEqual([
      '2025-01-01',
      '2025-01-02',
      '2025-04-18',
      '2025-05-05',
      '2025-05-26',
      '2025-08-04',
      '2025-11-30',
      '2025-12-01',
      '2025-12-25',
      '2025-12-26',
    ]);
  });
});

describe('calendar v2', () => {
  const calendar = new WorkingDayCalendar();

  it('explains a deadline: counted days, weekend, partial-holiday rule and time zone', () => {
    const result = calendar.deadline(new Date('2025-12-18T00:00:00Z'), 5, 'AU-SA');
    expect(result).toEqual({
      deadline: new Date('2025-12-29T13:29:59.999Z'),
      startDate: '2025-12-18',
      countedDays: ['2025-12-19', '2025-12-22', '2025-12-23', '2025-12-24', '2025-12-29'],
      timeZone: 'Australia/Adelaide',
      partialHolidays: 'working',
      weekends: [{ days: [6, 7], from: null, until: null, source: 'CLDR' }],
      overrideIds: [],
    });
    // With partial holidays off, Christmas Eve from 19:00 is a day off too.
    expect(iso(calendar.deadline(new Date('2025-12-18T00:00:00Z'), 5, 'AU-SA', { partialHolidays: 'off' }).deadline)).toBe('2025-12-30T13:29:59.999Z');
  });

  it('lists why a day is off or working', () => {
    expect(calendar.day('2025-12-24', 'AU-SA')).toEqual({
      date: '2025-12-24',
      weekday: 3,
      working: true,
      reasons: [{ kind: 'partial-holiday', name: 'Christmas Eve', type: 'public', counts: 'working' }],
    });
    expect(calendar.day('2025-12-24', 'AU-SA', { partialHolidays: 'off' }).working).toBe(false);
    expect(calendar.day('2026-12-26', 'GB-ENG').reasons).toEqual([
      { kind: 'weekend', weekend: [6, 7] },
      { kind: 'holiday', name: 'Boxing Day', type: 'public' },
    ]);
    expect(calendar.day('2011-12-30', 'NZ', { timeZone: 'Pacific/Apia' })).toEqual({
      date: '2011-12-30',
      weekday: 5,
      working: false,
      reasons: [{ kind: 'nonexistent' }],
    });
    expect(calendar.day('2025-06-06', 'IL')).toEqual({ date: '2025-06-06', weekday: 5, working: false, reasons: [{ kind: 'weekend', weekend: [5, 6] }] });
    expect(() => calendar.day('2025-06-06', 'IL', { partialHolidays: 'sometimes' as never })).toThrow(/partialHolidays/);
  });

  it('ends a day at its last existing instant where clocks change at midnight (Havana, Santiago)', () => {
    // CU: D = Thu 6 Mar 2025: Fri 7 (-05), then Mon 10 (-04: clocks jumped from 24:00 on Sat 8 to 01:00).
    expect(iso(calendar.addWorkingDays(new Date('2025-03-06T15:00:00Z'), 1, 'CU'))).toBe('2025-03-08T04:59:59.999Z');
    expect(iso(calendar.addWorkingDays(new Date('2025-03-06T15:00:00Z'), 2, 'CU'))).toBe('2025-03-11T03:59:59.999Z');
    // CL: Sat 5 Apr 2025 24:00 -03 falls back to 23:00 -04; D = Fri 4 Apr, the first working day is Mon 7 (-04).
    expect(iso(calendar.addWorkingDays(new Date('2025-04-04T15:00:00Z'), 1, 'CL'))).toBe('2025-04-08T03:59:59.999Z');
  });
});
