import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CalendarOverrideState } from '@lethe/domain';
import { CalendarRepository } from '../calendar-repository.js';
import { WithdrawOverrideCommand } from './withdraw-override.command.js';

@CommandHandler(WithdrawOverrideCommand)
export class WithdrawOverrideHandler implements ICommandHandler<WithdrawOverrideCommand> {
  constructor(@Inject(CalendarRepository) private readonly calendars: CalendarRepository) {}

  /** DomainError 'override-not-found' when the date has none. */
  async execute({ jurisdiction, date, by }: WithdrawOverrideCommand): Promise<CalendarOverrideState> {
    const loaded = await this.calendars.load(jurisdiction);
    const current = loaded.state.overrides[date];
    await this.calendars.execute(
      jurisdiction,
      { type: 'WithdrawCalendarOverride', data: { jurisdiction, date, by } },
      `withdraw:${current?.overrideId ?? `${jurisdiction}:${date}`}`,
      { loaded },
    );
    return current;
  }
}
