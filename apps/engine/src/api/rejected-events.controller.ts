// GET /v1/rejected-events: contract-stream events Lethe refused (newest first), with the count, so ops
// see a contract system sending notices that never triggered a shred.
import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ListRejectedEventsQuery } from '@lethe/lifecycle';
import { Answer, Roles } from '../http/index.js';
import { EXAMPLES, rejectedEventsAnswer } from './system.answers.js';
import { rejectedEventsBody } from './rejected-events.presenter.js';

@Controller('v1/rejected-events')
export class RejectedEventsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('ops-reader')
  @Answer(200, rejectedEventsAnswer, EXAMPLES.rejectedEvents, 'The newest 500 rejected contract events, and how many in all')
  async list() {
    return rejectedEventsBody(await this.queries.execute(new ListRejectedEventsQuery()));
  }
}
