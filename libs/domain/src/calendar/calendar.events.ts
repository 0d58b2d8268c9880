// Events of a jurisdiction's calendar (stream `calendar-<jurisdiction>`): operator overrides of its
// working days (ARCHITECTURE.md §2). They apply to deadlines decided after they are recorded; a stored
// deadline is never recomputed.
import type { DomainEvent } from '../shared/decider.js';

export type CalendarOverrideKind = 'working' | 'off';

/** Who recorded a declaration: the API role, and the subject when the credential names one. */
export interface CalendarActor {
  readonly role: string;
  readonly subject?: string;
}

export type CalendarOverrideDeclared = DomainEvent<
  'CalendarOverrideDeclared',
  {
    /** `<jurisdiction>:<date>:<n>`, n counting this stream's declarations from 1. */
    readonly overrideId: string;
    readonly jurisdiction: string;
    /** Local date 'YYYY-MM-DD'. */
    readonly date: string;
    readonly kind: CalendarOverrideKind;
    readonly reason: string;
    /** The override it replaces on the same date, if any. */
    readonly replaces: string | null;
    readonly by: CalendarActor;
    readonly at: string;
  }
>;

export type CalendarOverrideWithdrawn = DomainEvent<
  'CalendarOverrideWithdrawn',
  { readonly overrideId: string; readonly jurisdiction: string; readonly date: string; readonly by: CalendarActor; readonly at: string }
>;

export type CalendarEvent = CalendarOverrideDeclared | CalendarOverrideWithdrawn;
