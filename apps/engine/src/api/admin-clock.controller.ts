// /v1/admin/clock: reads the manual clock, and moves it forward and fires what became due. Registered
// only with LETHE_CLOCK=manual; with the system clock the route does not exist (404). Each move is
// stored, so a restart resumes from it.
import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ClockMovedBackwardsError } from '@lethe/clock';
import { MoveClockCommand } from '../clock/move-clock/move-clock.command.js';
import { ReadClockQuery } from '../clock/read-clock/read-clock.query.js';
import { NotManualClockError } from '../clock/manual-clock-of.js';
import { Answer, ProblemException, Problems, Roles, ZodBody } from '../http/index.js';
import { clockAnswer, clockMovedAnswer, EXAMPLES, type ClockAnswer, type ClockMovedAnswer } from './system.answers.js';
import { setClockSchema } from './tenant.schemas.js';
import type { z } from 'zod';

@Controller('v1/admin/clock')
export class AdminClockController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  /** `{ now }`: the manual clock's time. */
  @Get()
  @Roles('admin')
  @Answer(200, clockAnswer, EXAMPLES.clock, "The manual clock's time")
  get(): Promise<ClockAnswer> {
    return clockProblems(() => this.queries.execute(new ReadClockQuery()));
  }

  /** `{ now, fired: [{ id, kind }] }`: the deadlines this instance fired because of the move. */
  @Post()
  @Roles('admin')
  @HttpCode(200)
  @Answer(200, clockMovedAnswer, EXAMPLES.clockMoved, 'The clock moved; the deadlines that became due were fired')
  @Problems(409)
  set(@ZodBody(setClockSchema) body: z.output<ReturnType<typeof setClockSchema>>): Promise<ClockMovedAnswer> {
    return clockProblems(async () => {
      const moved = await this.commands.execute(new MoveClockCommand(new Date(body.now)));
      return { now: moved.now, fired: moved.fired.map(({ id, kind }) => ({ id, kind })) };
    });
  }
}

/** 409 for a move backwards (with the time now), 404 when the clock is not manual. */
async function clockProblems<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ClockMovedBackwardsError) throw ProblemException.conflict('the clock only moves forward', 'urn:lethe:problem:clock-backwards', { now: error.current.toISOString() });
    if (error instanceof NotManualClockError) throw ProblemException.notFound(error.message);
    throw error;
  }
}
