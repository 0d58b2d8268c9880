import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { WorkingDayDeadline } from '@lethe/calendar';
import { CalendarWorkingDays } from '../../tenants/working-days.adapter.js';
import { CalendarRepository } from '../calendar-repository.js';
import { overrideInputsInForce } from '../calendar-overrides.js';
import { DEFAULT_HOLIDAY_TYPES } from '../calendar-preview-options.js';
import { DeadlinePreviewQuery } from './deadline-preview.query.js';

@QueryHandler(DeadlinePreviewQuery)
export class DeadlinePreviewHandler implements IQueryHandler<DeadlinePreviewQuery> {
  constructor(
    @Inject(CalendarRepository) private readonly calendars: CalendarRepository,
    @Inject(CalendarWorkingDays) private readonly workingDays: CalendarWorkingDays,
  ) {}

  async execute({ jurisdiction, from, workingDays, options }: DeadlinePreviewQuery): Promise<WorkingDayDeadline> {
    const overrides = await overrideInputsInForce(this.calendars, jurisdiction);
    return this.workingDays
      .calendarFor(options.excludedHolidayTypes ?? DEFAULT_HOLIDAY_TYPES)
      .deadline(from, workingDays, jurisdiction, { timeZone: options.timeZone, partialHolidays: options.partialHolidays, overrides });
  }
}
