// /v1/shreds: shreds across tenants, by status, for ops dashboards (paged).
import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ListShredsQuery } from '@lethe/lifecycle';
import { Answer, Roles, ZodQuery } from '../http/index.js';
import { EXAMPLES, shredPageAnswer } from './tenant.answers.js';
import { pageRequest } from './paging.schema.js';
import { shredPageBody } from './tenant.presenter.js';
import { listShredsQuery } from './tenant.schemas.js';
import type { z } from 'zod';

@Controller('v1/shreds')
export class ShredsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('ops-reader')
  @Answer(200, shredPageAnswer, { items: [{ tenantId: 'acme', ...EXAMPLES.shred }], nextCursor: null }, 'Every shred, paged by (tenantId, shredId)')
  async list(@ZodQuery(listShredsQuery) query: z.output<typeof listShredsQuery>) {
    return shredPageBody(await this.queries.execute(new ListShredsQuery(query.status, pageRequest(query))));
  }
}
