// GET /v1/schedule: what is due next across the fleet, from the durable timers (issue 13).
import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetScheduleQuery } from '@lethe/lifecycle';
import { Answer, Roles, ZodQuery } from '../http/index.js';
import { EXAMPLES, scheduleAnswer } from './audit.answers.js';
import { scheduleBody } from './audit.presenter.js';
import { pageRequest } from './paging.schema.js';
import { scheduleQuery } from './audit.schemas.js';
import type { z } from 'zod';

@Controller('v1/schedule')
export class ScheduleController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('ops-reader')
  @Answer(
    200,
    scheduleAnswer,
    EXAMPLES.schedule,
    'Timers still to fire or parked, due in [from, to) (from defaults to now on the engine clock), by due time, paged; never a claim token or an instance id',
  )
  async schedule(@ZodQuery(scheduleQuery) query: z.output<ReturnType<typeof scheduleQuery>>) {
    const filter = {
      ...(query.kind ? { kinds: query.kind } : {}),
      ...(query.from ? { from: new Date(query.from) } : {}),
      ...(query.to ? { to: new Date(query.to) } : {}),
    };
    return scheduleBody(await this.queries.execute(new GetScheduleQuery(filter, pageRequest(query))));
  }
}
