// /v1/tenants/{id}/events and /v1/tenants/{id}/keys/timeline: a tenant's history and each key
// version's lifetime, for ops (issue 13). Each route maps HTTP to one query.
import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { CURSOR_RULE } from '@lethe/readmodel';
import { GetKeyTimelineQuery, GetTenantEventsQuery } from '@lethe/lifecycle';
import { Answer, ProblemException, Problems, Roles, ZodParam, ZodQuery } from '../http/index.js';
import { EXAMPLES, keyTimelineAnswer, tenantEventsAnswer } from './audit.answers.js';
import { keyTimelineBody, tenantEventsBody } from './audit.presenter.js';
import { tenantEventsQuery } from './audit.schemas.js';
import { idSchema } from './tenant.schemas.js';
import type { z } from 'zod';

const tenantNotFound = () => ProblemException.notFound('tenant not found', { code: 'tenant-not-found' });

@Controller('v1/tenants/:tenantId')
export class AuditController {
  constructor(private readonly queries: QueryBus) {}

  @Get('events')
  @Roles('ops-reader')
  @Answer(
    200,
    tenantEventsAnswer,
    EXAMPLES.events,
    "The tenant's events across its streams (tenant, key ring, contract, compliance, privileged calls refused without a grant) in global log order, oldest first, paged; as far as the read models have reached",
  )
  @Problems(404)
  async events(@ZodParam('tenantId', idSchema) tenantId: string, @ZodQuery(tenantEventsQuery) query: z.output<typeof tenantEventsQuery>) {
    if (query.after && query.after.tenantId !== tenantId) {
      throw ProblemException.badRequest('The query parameters are not valid.', [{ field: 'after', rule: CURSOR_RULE }]);
    }
    const page = await this.queries.execute(new GetTenantEventsQuery(tenantId, query.limit, query.after?.revisions ?? null));
    if (!page) throw tenantNotFound();
    return tenantEventsBody(page);
  }

  @Get('keys/timeline')
  @Roles('ops-reader')
  @Answer(200, keyTimelineAnswer, EXAMPLES.timeline, "Each key version's lifetime: the databases it protected when, what retained it (P3), its retirement or destruction")
  @Problems(404)
  async timeline(@ZodParam('tenantId', idSchema) tenantId: string) {
    const timeline = await this.queries.execute(new GetKeyTimelineQuery(tenantId));
    if (!timeline) throw tenantNotFound();
    return keyTimelineBody(timeline);
  }
}
