/** The calendar as the domain needs it; libs/calendar implements it. */
export interface CalendarInputs {
  readonly jurisdiction: string;
  readonly timeZone: string;
  readonly excludedHolidayTypes: readonly string[];
}

export interface WorkingDays {
  /** End (23:59:59.999 local) of the nth working day after the local date of `instant` (ARCHITECTURE §2). */
  addWorkingDays(instant: Date, n: number, calendar: CalendarInputs): Date;
}
