/**
 * The five faults of issue 9 ("Calendar v2"), one instance each, with the expected deadline worked out by
 * hand. Each failed on the calendar before v2; the kinds are covered more widely in the other specs.
 */
import { parseJurisdiction } from './jurisdiction.js';
import { WorkingDayCalendar } from './working-days.js';

const calendar = new WorkingDayCalendar();
const deadline = (...args: Parameters<WorkingDayCalendar['addWorkingDays']>): string => calendar.addWorkingDays(...args).toISOString();

describe('issue 9 instances', () => {
  it('1. weekend from CLDR: IL rests Friday-Saturday', () => {
    // D = Fri 6 Jun 2025 (12:00 IDT). Sat 7 is weekend; Sun 8 .. Thu 12 are the five working days.
    expect(deadline(new Date('2025-06-06T09:00:00Z'), 5, 'IL')).toBe('2025-06-12T20:59:59.999Z');
  });

  it('2. partial holidays are working days: AU-SA Christmas Eve from 19:00', () => {
    // D = Thu 18 Dec 2025 (10:30 ACDT). Fri 19, Mon 22, Tue 23, Wed 24 (holiday only from 19:00), then
    // Christmas Thu 25 and Proclamation Day Fri 26 are off: Mon 29 is the fifth.
    expect(deadline(new Date('2025-12-18T00:00:00Z'), 5, 'AU-SA')).toBe('2025-12-29T13:29:59.999Z');
  });

  it('3. regions below the subdivision: DE-BY-KATH (15 Aug, Mariä Himmelfahrt, is a holiday there)', () => {
    expect(parseJurisdiction('DE-BY-KATH')).toEqual({ country: 'DE', subdivision: 'BY', region: 'KATH' });
    // D = Wed 13 Aug 2025: Thu 14, (Fri 15 off), Mon 18 .. Thu 21.
    expect(deadline(new Date('2025-08-13T08:00:00Z'), 5, 'DE-BY-KATH')).toBe('2025-08-21T21:59:59.999Z');
    expect(deadline(new Date('2025-08-13T08:00:00Z'), 5, 'DE-BY-EVANG')).toBe('2025-08-20T21:59:59.999Z');
  });

  it('4. operator overrides: CN Spring Festival 2026 as officially announced', () => {
    // Official notice (State Council, 2026 holiday arrangement): 15-23 Feb off; Sat 14 and Sat 28 Feb worked.
    const off = ['15', '16', '17', '18', '19', '20', '21', '22', '23'].map((day) => ({
      id: `CN:2026-02-${day}:1`,
      date: `2026-02-${day}`,
      kind: 'off' as const,
      reason: 'Spring Festival 2026 (State Council notice)',
    }));
    const working = ['14', '28'].map((day) => ({
      id: `CN:2026-02-${day}:1`,
      date: `2026-02-${day}`,
      kind: 'working' as const,
      reason: 'Spring Festival make-up working day',
    }));
    // D = Wed 11 Feb (10:00 CST): Thu 12, Fri 13, Sat 14 (declared working), Tue 24, Wed 25.
    expect(deadline(new Date('2026-02-11T02:00:00Z'), 5, 'CN', undefined, { overrides: [...off, ...working] })).toBe('2026-02-25T15:59:59.999Z');
  });

  it('5. local dates the zone never had: Samoa skipped Friday 30 Dec 2011', () => {
    // D = Wed 28 Dec 2011 (10:00 -10). Thu 29 (1); Fri 30 never existed; Sat 31, Sun 1 weekend; NZ: Mon 2 and
    // Tue 3 Jan 2012 off (New Year holidays); Wed 4, Thu 5, Fri 6, Mon 9 (+14).
    expect(deadline(new Date('2011-12-28T20:00:00Z'), 5, 'NZ', 'Pacific/Apia')).toBe('2012-01-09T09:59:59.999Z');
  });
});
