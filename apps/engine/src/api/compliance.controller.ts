// GET /v1/compliance: which tenants break P1, P2 or P3 right now (paged over key rings).
import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { COMPLIANCE_LISTING, GetComplianceQuery } from '@lethe/lifecycle';
import { Answer, Roles, ZodQuery } from '../http/index.js';
import { complianceAnswer, EXAMPLES } from './system.answers.js';
import { complianceBody } from './compliance.presenter.js';
import { pageFields, pageRequest } from './paging.schema.js';
import { z } from 'zod';

const complianceQuery = z.strictObject(pageFields(COMPLIANCE_LISTING));

@Controller('v1/compliance')
export class ComplianceController {
  constructor(private readonly queries: QueryBus) {}

  @Get()
  @Roles('ops-reader')
  @Answer(200, complianceAnswer, EXAMPLES.compliance, 'Violations of P1, P2 and P3 among one page of key rings')
  async compliance(@ZodQuery(complianceQuery) query: z.output<typeof complianceQuery>) {
    return complianceBody(await this.queries.execute(new GetComplianceQuery(pageRequest(query))));
  }
}
