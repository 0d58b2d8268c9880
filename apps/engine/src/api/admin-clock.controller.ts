// POST /v1/admin/clock: moves the manual clock forward and fires what became due. Registered only
// with LETHE_CLOCK=manual; with the system clock the route does not exist (404).
import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { CLOCK, ClockMovedBackwardsError, type Clock, ManualClock } from '@lethe/clock';
import { DeadlineTicker } from '../deadlines/deadline-ticker.service.js';
import { ProblemException, Roles, ZodBody } from '../http/index.js';
import { setClockSchema } from './tenant.schemas.js';
import type { z } from 'zod';

@Controller('v1/admin/clock')
export class AdminClockController {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ticker: DeadlineTicker,
  ) {}

  @Post()
  @Roles('admin')
  @HttpCode(200)
  async set(@ZodBody(setClockSchema) body: z.output<ReturnType<typeof setClockSchema>>) {
    if (!(this.clock instanceof ManualClock)) throw ProblemException.notFound('the clock is not manual');
    try {
      this.clock.set(new Date(body.now));
    } catch (error) {
      if (error instanceof ClockMovedBackwardsError) throw ProblemException.conflict('the clock only moves forward', 'urn:lethe:problem:clock-backwards', { now: this.clock.now().toISOString() });
      throw error;
    }
    const fired = await this.ticker.tick();
    return { now: this.clock.now().toISOString(), fired };
  }
}
