// The privileged operations: each needs an active break-glass grant covering it (PrivilegedAccess).
import { Controller, Headers, HttpCode, Inject, Post, UseFilters } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ReadSentinelQuery } from '@lethe/lifecycle';
import { Answer, Caller, Problems, Roles, ZodBody, ZodParam, type CallerContext } from '../../http/index.js';
import { DomainErrorFilter } from '../domain-error.filter.js';
import { idSchema } from '../tenant.schemas.js';
import { EXAMPLES, probeReadAnswer } from './break-glass.answers.js';
import { probeReadSchema } from './break-glass.schemas.js';
import { BREAK_GLASS_HEADER, Privileged, PrivilegedAccess } from './privileged-access.js';
import type { z } from 'zod';

@Controller('v1/tenants')
@UseFilters(DomainErrorFilter)
export class PrivilegedController {
  constructor(
    private readonly queries: QueryBus,
    @Inject(PrivilegedAccess) private readonly access: PrivilegedAccess,
  ) {}

  @Post(':tenantId/probe/read')
  @Roles('operator')
  @Privileged('probe.read')
  @HttpCode(200)
  @Answer(200, probeReadAnswer, EXAMPLES.probeRead, "The read probe's answer for the database's sentinel, outside a shred (break-glass `probe.read`)")
  @Problems(404)
  async probeRead(
    @ZodParam('tenantId', idSchema) tenantId: string,
    @ZodBody(probeReadSchema) body: z.output<typeof probeReadSchema>,
    @Headers(BREAK_GLASS_HEADER.toLowerCase()) grant: string | undefined,
    @Caller() caller: CallerContext | undefined,
  ) {
    await this.access.require('probe.read', tenantId, grant, caller);
    return this.queries.execute(new ReadSentinelQuery(tenantId, body.databaseId));
  }
}
