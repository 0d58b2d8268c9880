// What a jurisdiction's calendar remembers: the override in force on each date, and how many were ever
// declared (for the next id). Withdrawn and replaced overrides stay in the stream for the audit.
import type { CalendarActor, CalendarEvent, CalendarOverrideKind } from './calendar.events.js';

export interface CalendarOverrideState {
  readonly overrideId: string;
  readonly jurisdiction: string;
  readonly date: string;
  readonly kind: CalendarOverrideKind;
  readonly reason: string;
  readonly by: CalendarActor;
  readonly at: string;
}

export interface CalendarState {
  /** By local date. */
  readonly overrides: Readonly<Record<string, CalendarOverrideState>>;
  readonly declarations: number;
}

/** The version of CalendarState's shape and of evolveCalendar: raise it with either (snapshots). */
export const CALENDAR_STATE_VERSION = 1;

export const initialCalendarState: CalendarState = { overrides: {}, declarations: 0 };

export function evolveCalendar(state: CalendarState, event: CalendarEvent): CalendarState {
  switch (event.type) {
    case 'CalendarOverrideDeclared': {
      const { overrideId, jurisdiction, date, kind, reason, by, at } = event.data;
      return {
        overrides: { ...state.overrides, [date]: { overrideId, jurisdiction, date, kind, reason, by, at } },
        declarations: state.declarations + 1,
      };
    }
    case 'CalendarOverrideWithdrawn': {
      const { [event.data.date]: _withdrawn, ...rest } = state.overrides;
      return { ...state, overrides: rest };
    }
  }
}

/** The overrides in force, by date. */
export function overridesOf(state: CalendarState): readonly CalendarOverrideState[] {
  return Object.values(state.overrides).sort((a, b) => a.date.localeCompare(b.date));
}
