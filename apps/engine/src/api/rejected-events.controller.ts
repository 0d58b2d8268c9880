// GET /v1/rejected-events: contract-stream events Lethe refused (newest first), with the count, so ops
// see a contract system sending notices that never triggered a shred.
import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ListRejectedEventsQuery } from '@lethe/lifecycle';
import { Roles } from '../http/index.js';
import { rejectedEventsBody } from './rejected-events.presenter.js';

@Controller('v1/rejected-events')
export class RejectedEventsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('ops-reader')
  async list() {
    return rejectedEventsBody(await this.queries.execute(new ListRejectedEventsQuery()));
  }
}
