import { overridesInForce, type CalendarOverride } from './calendar-override.js';
import { WorkingDayCalendar } from './working-days.js';

const override = (jurisdiction: string | undefined, date: string, kind: 'working' | 'off', id = `${jurisdiction}:${date}`): CalendarOverride => ({
  id,
  ...(jurisdiction === undefined ? {} : { jurisdiction }),
  date,
  kind,
  reason: 'test',
});

describe('overridesInForce', () => {
  it("applies a parent's overrides to its children, and the most specific one per date", () => {
    const declared = [
      override('DE', '2026-06-01', 'off'),
      override('DE', '2026-06-02', 'off'),
      override('DE-BY', '2026-06-02', 'working'),
      override('DE-BY-KATH', '2026-06-03', 'off'),
      override('FR', '2026-06-04', 'off'),
      override('DE-BE', '2026-06-05', 'off'),
    ];
    const kath = overridesInForce('DE-BY-KATH', declared);
    expect([...kath.values()].map((o) => o.id).sort()).toEqual(['DE-BY-KATH:2026-06-03', 'DE-BY:2026-06-02', 'DE:2026-06-01']);
    const de = overridesInForce('DE', declared);
    expect([...de.values()].map((o) => o.id).sort()).toEqual(['DE:2026-06-01', 'DE:2026-06-02']);
    // Declaration order does not matter: the subdivision still wins over the country.
    expect(overridesInForce('DE-BY', [...declared].reverse()).get('2026-06-02')?.kind).toBe('working');
  });

  it('takes overrides without a jurisdiction as they are', () => {
    expect(overridesInForce('GB', [override(undefined, '2026-06-01', 'off')]).get('2026-06-01')?.kind).toBe('off');
  });
});

describe('overrides in working days', () => {
  const calendar = new WorkingDayCalendar();

  it('a declared working day beats the weekend and a holiday; a declared day off beats a working day', () => {
    const overrides = [override('GB', '2026-05-23', 'working'), override('GB', '2026-05-25', 'working'), override('GB-ENG', '2026-05-26', 'off')];
    expect(calendar.isWorkingDay('2026-05-23', 'GB-ENG', { overrides })).toBe(true); // Saturday
    expect(calendar.isWorkingDay('2026-05-25', 'GB-ENG', { overrides })).toBe(true); // Spring bank holiday
    expect(calendar.isWorkingDay('2026-05-26', 'GB-ENG', { overrides })).toBe(false);
    expect(calendar.isWorkingDay('2026-05-26', 'GB-SCT', { overrides })).toBe(true); // GB-ENG's override is not Scotland's
    // D = Fri 22 May: Sat 23 (declared), Mon 25 (declared), (Tue 26 off), Wed 27.
    const result = calendar.deadline(new Date('2026-05-22T09:00:00Z'), 3, 'GB-ENG', { overrides });
    expect(result.countedDays).toEqual(['2026-05-23', '2026-05-25', '2026-05-27']);
    expect(result.overrideIds).toEqual(['GB:2026-05-23', 'GB:2026-05-25', 'GB-ENG:2026-05-26']);
  });

  it('never makes a date the zone skipped a working day', () => {
    const overrides = [override('NZ', '2011-12-30', 'working')];
    expect(calendar.isWorkingDay('2011-12-30', 'NZ', { timeZone: 'Pacific/Apia', overrides })).toBe(false);
    expect(calendar.isWorkingDay('2011-12-30', 'NZ', { overrides })).toBe(true); // in Auckland it existed
  });
});
