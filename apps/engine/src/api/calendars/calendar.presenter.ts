// Response bodies of /v1/calendars/{jurisdiction}.
import type { WorkingDayDeadline } from '@lethe/calendar';
import type { CalendarOverrideState } from '@lethe/domain';
import type { CalendarDays } from '@lethe/lifecycle';
import type { DaysAnswer, DeadlineAnswer, OverrideAnswer } from './calendar.answers.js';

export function overrideBody(o: CalendarOverrideState): OverrideAnswer {
  return { overrideId: o.overrideId, jurisdiction: o.jurisdiction, date: o.date, kind: o.kind, reason: o.reason, declaredBy: o.by, declaredAt: o.at };
}

export function daysBody(jurisdiction: string, query: { from: string; to: string; timeZone?: string; partialHolidays?: string }, { days, overrides }: CalendarDays): DaysAnswer {
  return {
    jurisdiction,
    from: query.from,
    to: query.to,
    timeZone: query.timeZone ?? null,
    partialHolidays: query.partialHolidays ?? 'working',
    days,
    overrides: overrides.map(overrideBody),
  };
}

export function deadlineBody(jurisdiction: string, from: Date, workingDays: number, result: WorkingDayDeadline): DeadlineAnswer {
  return {
    jurisdiction,
    from: from.toISOString(),
    workingDays,
    deadline: result.deadline.toISOString(),
    startDate: result.startDate,
    countedDays: result.countedDays,
    timeZone: result.timeZone,
    partialHolidays: result.partialHolidays,
    weekends: result.weekends,
    overrideIds: result.overrideIds,
  };
}
