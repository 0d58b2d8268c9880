// /v1/admin/clock: reads the manual clock, and moves it forward and fires what became due. Registered
// only with LETHE_CLOCK=manual; with the system clock the route does not exist (404). Each move is
// stored, so a restart resumes from it.
import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { CLOCK, ClockMovedBackwardsError, type Clock } from '@lethe/clock';
import { PersistedManualClock } from '../clock/persisted-manual-clock.js';
import { DeadlineTicker } from '../deadlines/deadline-ticker.service.js';
import { Answer, ProblemException, Problems, Roles, ZodBody } from '../http/index.js';
import { clockAnswer, clockMovedAnswer, EXAMPLES, type ClockAnswer, type ClockMovedAnswer } from './system.answers.js';
import { setClockSchema } from './tenant.schemas.js';
import type { z } from 'zod';

@Controller('v1/admin/clock')
export class AdminClockController {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ticker: DeadlineTicker,
  ) {}

  /** `{ now }`: the manual clock's time. */
  @Get()
  @Roles('admin')
  @Answer(200, clockAnswer, EXAMPLES.clock, 'The manual clock\'s time')
  get(): ClockAnswer {
    return { now: this.manualClock().now().toISOString() };
  }

  /** `{ now, fired: [{ id, kind }] }`: the deadlines this instance fired because of the move. */
  @Post()
  @Roles('admin')
  @HttpCode(200)
  @Answer(200, clockMovedAnswer, EXAMPLES.clockMoved, 'The clock moved; the deadlines that became due were fired')
  @Problems(409)
  async set(@ZodBody(setClockSchema) body: z.output<ReturnType<typeof setClockSchema>>): Promise<ClockMovedAnswer> {
    const clock = this.manualClock();
    try {
      await clock.moveTo(new Date(body.now));
    } catch (error) {
      if (error instanceof ClockMovedBackwardsError) throw ProblemException.conflict('the clock only moves forward', 'urn:lethe:problem:clock-backwards', { now: clock.now().toISOString() });
      throw error;
    }
    const fired = await this.ticker.tick();
    return { now: clock.now().toISOString(), fired: fired.map(({ id, kind }) => ({ id, kind })) };
  }

  private manualClock(): PersistedManualClock {
    if (!(this.clock instanceof PersistedManualClock)) throw ProblemException.notFound('the clock is not manual');
    return this.clock;
  }
}
