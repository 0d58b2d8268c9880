// /v1/shreds: shreds across tenants, by status, for ops dashboards (paged).
import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ListShredsQuery } from '@lethe/lifecycle';
import { Roles, ZodQuery } from '../http/index.js';
import { pageRequest } from './paging.schema.js';
import { shredPageBody } from './tenant.presenter.js';
import { listShredsQuery } from './tenant.schemas.js';
import type { z } from 'zod';

@Controller('v1/shreds')
export class ShredsController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('ops-reader')
  async list(@ZodQuery(listShredsQuery) query: z.output<typeof listShredsQuery>) {
    return shredPageBody(await this.queries.execute(new ListShredsQuery(query.status, pageRequest(query))));
  }
}
