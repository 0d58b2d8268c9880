import { Command } from '@nestjs/cqrs';
import type { CalendarActor, CalendarOverrideState } from '@lethe/domain';

/** Withdraws the override of a local date; answers the one withdrawn. */
export class WithdrawOverrideCommand extends Command<CalendarOverrideState> {
  constructor(
    readonly jurisdiction: string,
    /** YYYY-MM-DD. */
    readonly date: string,
    readonly by: CalendarActor,
  ) {
    super();
  }
}
