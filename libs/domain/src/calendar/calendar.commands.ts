import type { CalendarActor, CalendarOverrideKind } from './calendar.events.js';

export interface DeclareCalendarOverride {
  readonly type: 'DeclareCalendarOverride';
  readonly data: { readonly jurisdiction: string; readonly date: string; readonly kind: CalendarOverrideKind; readonly reason: string; readonly by: CalendarActor };
}

export interface WithdrawCalendarOverride {
  readonly type: 'WithdrawCalendarOverride';
  readonly data: { readonly jurisdiction: string; readonly date: string; readonly by: CalendarActor };
}

export type CalendarCommand = DeclareCalendarOverride | WithdrawCalendarOverride;
