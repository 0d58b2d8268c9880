/** A weekend as stored with a decision: ISO weekdays (1 = Monday … 7 = Sunday) in force from a date. */
export interface WeekendUsed {
  /** First date the weekend was in force (null: since before any recorded change). */
  readonly from: string | null;
  readonly days: readonly number[];
}

/** How partial holidays (starting after local midnight) count: as working days (default) or days off. */
export type PartialHolidays = 'working' | 'off';

/**
 * The calendar inputs of a decision, stored with it (ShredScheduled) so a deadline can be explained years
 * later. The last three are absent in events decided before calendar v2 (Saturday–Sunday, partial holidays
 * off, no overrides).
 */
export interface CalendarInputs {
  readonly jurisdiction: string;
  readonly timeZone: string;
  readonly excludedHolidayTypes: readonly string[];
  /** The weekends in force over the dates counted (more than one only across a change by law). */
  readonly weekends?: readonly WeekendUsed[];
  readonly partialHolidays?: PartialHolidays;
  /** Ids of the operator overrides on the dates counted. */
  readonly overrideIds?: readonly string[];
}

/** An operator override in force for the tenant's jurisdiction (declared for it or a parent). */
export interface CalendarOverrideInput {
  readonly id: string;
  readonly jurisdiction: string;
  readonly date: string;
  readonly kind: 'working' | 'off';
  readonly reason: string;
}

/** What a deadline is computed from. */
export interface CalendarRequest {
  readonly jurisdiction: string;
  readonly timeZone: string;
  readonly excludedHolidayTypes: readonly string[];
  readonly partialHolidays: PartialHolidays;
  readonly overrides: readonly CalendarOverrideInput[];
}

/** A deadline and the inputs that decided it. */
export interface WorkingDaysDeadline {
  readonly deadline: Date;
  readonly weekends: readonly WeekendUsed[];
  readonly overrideIds: readonly string[];
}

/** The calendar as the domain needs it; libs/calendar implements it. */
export interface WorkingDays {
  /**
   * End of the nth working day after the local date of `instant` (ARCHITECTURE §2), with what decided it.
   * @throws OutsideCalendarYearsError (@lethe/calendar) for an instant, or a deadline, outside the years
   *   the calendar covers.
   */
  deadlineOf(instant: Date, n: number, calendar: CalendarRequest): WorkingDaysDeadline;
}
