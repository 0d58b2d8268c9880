import { Query } from '@nestjs/cqrs';
import type { WorkingDayDeadline } from '@lethe/calendar';
import type { CalendarPreviewOptions } from '../calendar-preview-options.js';

/** The deadline a tenant decision would compute now, with what decided it. */
export class DeadlinePreviewQuery extends Query<WorkingDayDeadline> {
  constructor(
    readonly jurisdiction: string,
    readonly from: Date,
    readonly workingDays: number,
    readonly options: CalendarPreviewOptions,
  ) {
    super();
  }
}
