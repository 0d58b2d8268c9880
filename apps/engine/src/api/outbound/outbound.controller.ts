// /v1/outbound: what ops need of integration event delivery. Dead deliveries (retries exhausted) to
// look at, and a replay of a tenant's integration events from a log position to one sink (after a
// consumer lost data, or to re-send the dead ones once the endpoint is fixed). Ids stay the same.
import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import pg from 'pg';
import type { z } from 'zod';
import { listDeadDeliveries, replayToSink } from '@lethe/outbound';
import { ENGINE_CONFIG, type EngineConfig } from '../../config/engine-config.js';
import { PG_POOL } from '../../infrastructure/database.js';
import { Answer, ProblemException, Roles, ZodBody, ZodQuery } from '../../http/index.js';
import { sinkSubscriptions } from '../../outbound/outbound-sinks.js';
import { deadLettersAnswer, EXAMPLES, replayAnswer, type DeadLettersAnswer, type ReplayAnswer } from './outbound.answers.js';
import { deadLettersQuery, replayBodySchema } from './outbound.schemas.js';

@Controller('v1/outbound')
export class OutboundController {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
  ) {}

  @Get('dead-letters')
  @Roles('ops-reader')
  @Answer(200, deadLettersAnswer, EXAMPLES.deadLetters, 'Deliveries whose retries ran out, newest first')
  async deadLetters(@ZodQuery(deadLettersQuery) query: z.output<typeof deadLettersQuery>): Promise<DeadLettersAnswer> {
    return { deadLetters: await listDeadDeliveries(this.pool, query) };
  }

  @Post('replays')
  @Roles('operator')
  @HttpCode(202)
  @Answer(202, replayAnswer, EXAMPLES.replay, "The tenant's integration events from the position are queued again for the sink, in order, with their ids")
  async replay(@ZodBody(replayBodySchema) body: z.output<typeof replayBodySchema>): Promise<ReplayAnswer> {
    const sink = sinkSubscriptions(this.config.outbound).find((s) => s.name === body.sink);
    if (!sink) throw ProblemException.badRequest('The request names no configured sink.', [{ field: 'sink', rule: "must name a configured sink: 'amqp' (LETHE_OUTBOUND_AMQP_URL) or 'webhook:<name>' (LETHE_WEBHOOKS)" }]);
    const queued = await replayToSink(this.pool, sink, body.tenantId, body.fromPosition);
    return { sink: sink.name, tenantId: body.tenantId, fromPosition: body.fromPosition.toString(), queued };
  }
}
