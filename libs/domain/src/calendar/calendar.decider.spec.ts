import { specFor } from '../shared/given-when-then.js';
import type { CalendarEvent } from './calendar.events.js';
import { calendarDecider } from './calendar.decider.js';
import { overridesOf } from './calendar.state.js';

const now = new Date('2026-01-10T09:00:00Z');
const at = now.toISOString();
const given = specFor(calendarDecider, () => ({ now }));
const by = { role: 'operator' };

const declared = (date: string, n: number, kind: 'working' | 'off', reason: string, replaces: string | null = null): CalendarEvent => ({
  type: 'CalendarOverrideDeclared',
  data: { overrideId: `CN:${date}:${n}`, jurisdiction: 'CN', date, kind, reason, replaces, by, at: '2026-01-05T00:00:00.000Z' },
});
const declare = (date: string, kind: 'working' | 'off', reason: string) =>
  ({ type: 'DeclareCalendarOverride', data: { jurisdiction: 'CN', date, kind, reason, by } }) as const;
const withdraw = (date: string) => ({ type: 'WithdrawCalendarOverride', data: { jurisdiction: 'CN', date, by } }) as const;

describe('calendar decider', () => {
  it('declares an override with an id counting the declarations, who and when', () => {
    given([declared('2026-02-15', 1, 'off', 'Spring Festival')])
      .when(declare('2026-02-14', 'working', '  make-up day '))
      .then([
        {
          type: 'CalendarOverrideDeclared',
          data: { overrideId: 'CN:2026-02-14:2', jurisdiction: 'CN', date: '2026-02-14', kind: 'working', reason: 'make-up day', replaces: null, by, at },
        },
      ]);
  });

  it('replaces the override of the same date, naming the one replaced', () => {
    given([declared('2026-02-15', 1, 'off', 'Spring Festival')])
      .when(declare('2026-02-15', 'working', 'changed notice'))
      .then([
        {
          type: 'CalendarOverrideDeclared',
          data: { overrideId: 'CN:2026-02-15:2', jurisdiction: 'CN', date: '2026-02-15', kind: 'working', reason: 'changed notice', replaces: 'CN:2026-02-15:1', by, at },
        },
      ]);
  });

  it('does nothing for the same declaration again', () => {
    given([declared('2026-02-15', 1, 'off', 'Spring Festival')]).when(declare('2026-02-15', 'off', 'Spring Festival')).thenNothing();
  });

  it('refuses an empty or overlong reason', () => {
    given([]).when(declare('2026-02-15', 'off', '  ')).thenRejects('override-reason-invalid');
    given([]).when(declare('2026-02-15', 'off', 'x'.repeat(501))).thenRejects('override-reason-invalid');
  });

  it('withdraws the override in force, and refuses when there is none', () => {
    given([declared('2026-02-15', 1, 'off', 'Spring Festival')])
      .when(withdraw('2026-02-15'))
      .then([{ type: 'CalendarOverrideWithdrawn', data: { overrideId: 'CN:2026-02-15:1', jurisdiction: 'CN', date: '2026-02-15', by, at } }]);
    given([]).when(withdraw('2026-02-15')).thenRejects('override-not-found');
  });

  it('keeps ids unique after a withdrawal', () => {
    const history: CalendarEvent[] = [
      declared('2026-02-15', 1, 'off', 'Spring Festival'),
      { type: 'CalendarOverrideWithdrawn', data: { overrideId: 'CN:2026-02-15:1', jurisdiction: 'CN', date: '2026-02-15', by, at } },
    ];
    const { state } = given(history);
    expect(overridesOf(state)).toEqual([]);
    given(history)
      .when(declare('2026-02-15', 'off', 'Spring Festival'))
      .then([
        {
          type: 'CalendarOverrideDeclared',
          data: { overrideId: 'CN:2026-02-15:2', jurisdiction: 'CN', date: '2026-02-15', kind: 'off', reason: 'Spring Festival', replaces: null, by, at },
        },
      ]);
  });
});
