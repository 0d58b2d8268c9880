// GET /v1/compliance: which tenants break P1, P2 or P3 right now (paged over key rings).
import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetComplianceQuery } from '@lethe/lifecycle';
import { Roles, ZodQuery } from '../http/index.js';
import { complianceBody } from './compliance.presenter.js';
import { pageFields, pageRequest } from './paging.schema.js';
import { z } from 'zod';

const complianceQuery = z.strictObject(pageFields);

@Controller('v1/compliance')
export class ComplianceController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('ops-reader')
  async compliance(@ZodQuery(complianceQuery) query: z.output<typeof complianceQuery>) {
    return complianceBody(await this.queries.execute(new GetComplianceQuery(pageRequest(query))));
  }
}
