// Moving the manual clock (LETHE_CLOCK=manual): the new time is stored first, so a restart resumes
// from it, then this instance's deadline poller drains what became due and the answer names it.
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '@lethe/clock';
import { publicTimerKind } from '@lethe/lifecycle';
import { DeadlineTicker } from '../../deadlines/deadline-ticker.service.js';
import { manualClockOf } from '../manual-clock-of.js';
import { MoveClockCommand, type ClockMoved } from './move-clock.command.js';

@CommandHandler(MoveClockCommand)
export class MoveClockHandler implements ICommandHandler<MoveClockCommand> {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DeadlineTicker) private readonly ticker: Pick<DeadlineTicker, 'tick'>,
  ) {}

  /** @throws ClockMovedBackwardsError for an instant before now; NotManualClockError with the system clock. */
  async execute({ to }: MoveClockCommand): Promise<ClockMoved> {
    const clock = manualClockOf(this.clock);
    await clock.moveTo(to);
    const fired = await this.ticker.tick();
    return { now: clock.now().toISOString(), fired: fired.map(({ id, kind }) => ({ id, kind: publicTimerKind(kind) })) };
  }
}
