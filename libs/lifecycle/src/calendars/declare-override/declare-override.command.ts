import { Command } from '@nestjs/cqrs';
import type { CalendarActor, CalendarOverrideKind, CalendarOverrideState } from '@lethe/domain';

/** Declares (or replaces) the override of a local date; answers the override in force afterwards. */
export class DeclareOverrideCommand extends Command<CalendarOverrideState> {
  constructor(
    readonly jurisdiction: string,
    /** YYYY-MM-DD. */
    readonly date: string,
    readonly kind: CalendarOverrideKind,
    readonly reason: string,
    readonly by: CalendarActor,
  ) {
    super();
  }
}
