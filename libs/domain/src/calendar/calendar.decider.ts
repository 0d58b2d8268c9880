// Decisions of a jurisdiction's calendar: declaring and withdrawing operator overrides. The jurisdiction
// and date are validated before (they need the calendar library); the decider keeps the stream's rules.
import { DomainError, type Decider } from '../shared/decider.js';
import type { CalendarCommand } from './calendar.commands.js';
import type { CalendarEvent } from './calendar.events.js';
import { evolveCalendar, initialCalendarState, type CalendarState } from './calendar.state.js';

export interface CalendarContext {
  readonly now: Date;
}

const MAX_REASON = 500;

export function decideCalendar(command: CalendarCommand, state: CalendarState, ctx: CalendarContext): CalendarEvent[] {
  const at = ctx.now.toISOString();
  const { jurisdiction, date, by } = command.data;
  const current = state.overrides[date];
  switch (command.type) {
    case 'DeclareCalendarOverride': {
      const { kind, reason } = command.data;
      const trimmed = reason.trim();
      if (trimmed === '' || trimmed.length > MAX_REASON) throw new DomainError('override-reason-invalid', `a reason of 1-${MAX_REASON} characters is required`);
      // The same declaration again (a retried PUT) changes nothing.
      if (current && current.kind === kind && current.reason === trimmed) return [];
      const overrideId = `${jurisdiction}:${date}:${state.declarations + 1}`;
      return [
        {
          type: 'CalendarOverrideDeclared',
          data: { overrideId, jurisdiction, date, kind, reason: trimmed, replaces: current?.overrideId ?? null, by, at },
        },
      ];
    }
    case 'WithdrawCalendarOverride':
      if (!current) throw new DomainError('override-not-found', `no override of ${jurisdiction} on ${date}`);
      return [{ type: 'CalendarOverrideWithdrawn', data: { overrideId: current.overrideId, jurisdiction, date, by, at } }];
  }
}

export const calendarDecider: Decider<CalendarCommand, CalendarEvent, CalendarState, CalendarContext> = {
  initialState: initialCalendarState,
  evolve: evolveCalendar,
  decide: decideCalendar,
};
