import { addDays, assertLocalDate, isLocalDate, isoWeekday, isWeekend, yearOf } from './local-date.js';

describe('local dates', () => {
  it.each(['2026-01-01', '2024-02-29', '1000-01-01', '9999-12-31'])('accepts %s', (date) => {
    expect(isLocalDate(date)).toBe(true);
  });

  it.each(['2026-02-29', '2026-13-01', '2026-00-10', '2026-1-1', '26-01-01', '2026-01-01T00:00', '0999-12-31', '', 20260101, null])(
    'rejects %j',
    (value) => {
      expect(isLocalDate(value)).toBe(false);
      expect(() => assertLocalDate(value)).toThrow(RangeError);
      expect(() => assertLocalDate(value)).toThrow(/localDate/);
    },
  );

  it('adds days across months, leap days and years', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-02-29', 1)).toBe('2024-03-01');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30'); // DST weekend: civil dates know no DST
  });

  it('knows weekdays', () => {
    expect(isoWeekday('2026-05-25')).toBe(1); // Monday
    expect(isoWeekday('2026-05-22')).toBe(5); // Friday
    expect(isoWeekday('2026-05-23')).toBe(6);
    expect(isoWeekday('2026-05-24')).toBe(7);
    expect(isoWeekday('1969-12-31')).toBe(3); // before the epoch
    expect(isWeekend('2026-05-23')).toBe(true);
    expect(isWeekend('2026-05-22')).toBe(false);
    expect(yearOf('2026-05-22')).toBe(2026);
  });
});
