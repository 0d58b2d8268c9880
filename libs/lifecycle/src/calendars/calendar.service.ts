// What the API asks of calendars: declare or withdraw an operator override, list a jurisdiction's days,
// and preview a deadline exactly as a tenant decision would compute it now.
import { jurisdictionLineage, type CalendarOverride, type DayStatus, type PartialHolidayRule, type WorkingDayDeadline } from '@lethe/calendar';
import type { Clock } from '@lethe/clock';
import { overridesOf, type CalendarOverrideInput, type CalendarActor, type CalendarOverrideKind, type CalendarOverrideState } from '@lethe/domain';
import type { CalendarWorkingDays } from '../tenants/working-days.adapter.js';
import type { CalendarRepository } from './calendar-repository.js';

/** Default holiday types of a tenant (ARCHITECTURE.md §2), for previews that do not name any. */
const DEFAULT_TYPES = ['public', 'bank'];

export class CalendarService {
  constructor(
    private readonly calendars: CalendarRepository,
    private readonly workingDays: CalendarWorkingDays,
    private readonly clock: Clock,
  ) {}

  /**
   * The overrides in force for `jurisdiction`: those declared for it and for each jurisdiction containing it
   * (one stream read per level: 'DE-BY-KATH' reads DE, DE-BY and DE-BY-KATH). Which one wins on a date is
   * the calendar's rule (the most specific).
   */
  async overridesFor(jurisdiction: string): Promise<readonly CalendarOverrideState[]> {
    const levels = await Promise.all(jurisdictionLineage(jurisdiction).map(async (code) => overridesOf((await this.calendars.load(code)).state)));
    return levels.flat();
  }

  /** `overridesFor`, shaped for the calendar and the tenant decision. */
  async overrideInputsFor(jurisdiction: string): Promise<readonly (CalendarOverride & CalendarOverrideInput)[]> {
    return (await this.overridesFor(jurisdiction)).map((o) => ({ id: o.overrideId, jurisdiction: o.jurisdiction, date: o.date, kind: o.kind, reason: o.reason }));
  }

  /** Declares (or replaces) the override of `date`. Answers the override in force afterwards. */
  async declare(jurisdiction: string, date: string, kind: CalendarOverrideKind, reason: string, by: CalendarActor): Promise<CalendarOverrideState> {
    const { state } = await this.calendars.execute(
      jurisdiction,
      { type: 'DeclareCalendarOverride', data: { jurisdiction, date, kind, reason, by } },
      `declare:${jurisdiction}:${date}:${kind}:${reason}:${this.clock.now().toISOString()}`,
    );
    return state.overrides[date];
  }

  /** Withdraws the override of `date`; DomainError 'override-not-found' when there is none. */
  async withdraw(jurisdiction: string, date: string, by: CalendarActor): Promise<CalendarOverrideState> {
    const { state } = await this.calendars.load(jurisdiction);
    const current = state.overrides[date];
    await this.calendars.execute(
      jurisdiction,
      { type: 'WithdrawCalendarOverride', data: { jurisdiction, date, by } },
      `withdraw:${current?.overrideId ?? `${jurisdiction}:${date}`}`,
    );
    return current;
  }

  /** Every local date from `from` to `to` (inclusive) with whether it is working and why. */
  async days(jurisdiction: string, from: string, to: string, options: CalendarPreviewOptions): Promise<readonly DayStatus[]> {
    const overrides = await this.overrideInputsFor(jurisdiction);
    const calendar = this.workingDays.calendarFor(options.excludedHolidayTypes ?? DEFAULT_TYPES);
    const days: DayStatus[] = [];
    for (let date = from; date <= to; date = nextDate(date)) {
      days.push(calendar.day(date, jurisdiction, { timeZone: options.timeZone, partialHolidays: options.partialHolidays, overrides }));
    }
    return days;
  }

  /** The deadline a tenant decision would compute now, with what decided it. */
  async deadline(jurisdiction: string, from: Date, workingDays: number, options: CalendarPreviewOptions): Promise<WorkingDayDeadline> {
    const overrides = await this.overrideInputsFor(jurisdiction);
    return this.workingDays
      .calendarFor(options.excludedHolidayTypes ?? DEFAULT_TYPES)
      .deadline(from, workingDays, jurisdiction, { timeZone: options.timeZone, partialHolidays: options.partialHolidays, overrides });
  }
}

export interface CalendarPreviewOptions {
  readonly timeZone?: string;
  readonly partialHolidays?: PartialHolidayRule;
  readonly excludedHolidayTypes?: readonly string[];
}

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}
