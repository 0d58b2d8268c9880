import { Query } from '@nestjs/cqrs';
import type { DayStatus } from '@lethe/calendar';
import type { CalendarOverrideState } from '@lethe/domain';
import type { CalendarPreviewOptions } from '../calendar-preview-options.js';

export interface CalendarDays {
  /** Each local date from `from` to `to` with whether it is working and why. */
  readonly days: readonly DayStatus[];
  /** The overrides in force for the jurisdiction (its own and those of the jurisdictions containing it). */
  readonly overrides: readonly CalendarOverrideState[];
}

export class CalendarDaysQuery extends Query<CalendarDays> {
  constructor(
    readonly jurisdiction: string,
    /** YYYY-MM-DD, inclusive. */
    readonly from: string,
    readonly to: string,
    readonly options: CalendarPreviewOptions,
  ) {
    super();
  }
}
