import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '@lethe/clock';
import type { CalendarOverrideState } from '@lethe/domain';
import { CalendarRepository } from '../calendar-repository.js';
import { DeclareOverrideCommand } from './declare-override.command.js';

@CommandHandler(DeclareOverrideCommand)
export class DeclareOverrideHandler implements ICommandHandler<DeclareOverrideCommand> {
  constructor(
    @Inject(CalendarRepository) private readonly calendars: CalendarRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ jurisdiction, date, kind, reason, by }: DeclareOverrideCommand): Promise<CalendarOverrideState> {
    const { state } = await this.calendars.execute(
      jurisdiction,
      { type: 'DeclareCalendarOverride', data: { jurisdiction, date, kind, reason, by } },
      `declare:${jurisdiction}:${date}:${kind}:${reason}:${this.clock.now().toISOString()}`,
    );
    return state.overrides[date];
  }
}
