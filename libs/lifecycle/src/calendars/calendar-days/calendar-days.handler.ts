import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { DayStatus } from '@lethe/calendar';
import { CalendarWorkingDays } from '../../tenants/working-days.adapter.js';
import { CalendarRepository } from '../calendar-repository.js';
import { overridesInForce } from '../calendar-overrides.js';
import { DEFAULT_HOLIDAY_TYPES } from '../calendar-preview-options.js';
import { CalendarDaysQuery, type CalendarDays } from './calendar-days.query.js';

@QueryHandler(CalendarDaysQuery)
export class CalendarDaysHandler implements IQueryHandler<CalendarDaysQuery> {
  constructor(
    @Inject(CalendarRepository) private readonly calendars: CalendarRepository,
    @Inject(CalendarWorkingDays) private readonly workingDays: CalendarWorkingDays,
  ) {}

  async execute({ jurisdiction, from, to, options }: CalendarDaysQuery): Promise<CalendarDays> {
    const inForce = await overridesInForce(this.calendars, jurisdiction);
    const overrides = inForce.map((o) => ({ id: o.overrideId, jurisdiction: o.jurisdiction, date: o.date, kind: o.kind, reason: o.reason }));
    const calendar = this.workingDays.calendarFor(options.excludedHolidayTypes ?? DEFAULT_HOLIDAY_TYPES);
    const days: DayStatus[] = [];
    for (let date = from; date <= to; date = nextDate(date)) {
      days.push(calendar.day(date, jurisdiction, { timeZone: options.timeZone, partialHolidays: options.partialHolidays, overrides }));
    }
    return { days, overrides: inForce };
  }
}

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
