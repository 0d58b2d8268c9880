// /v1/tenants: onboarding, the tenant list, termination and deletion reports, shred cancellation, the
// tenant's status and its deletion certificate. Each route maps HTTP to one command or query.
import { Controller, Get, HttpCode, Post, StreamableFile, UseFilters } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import {
  CancelShredCommand,
  GetCertificateQuery,
  GetTenantQuery,
  ListTenantsQuery,
  OnboardTenantCommand,
  RequestDeletionCommand,
  TerminateContractCommand,
} from '@lethe/lifecycle';
import { Idempotent, ProblemException, Roles, ZodBody, ZodParam, ZodQuery } from '../http/index.js';
import { DomainErrorFilter } from './domain-error.filter.js';
import { pageRequest } from './paging.schema.js';
import { cancelBody, shredAnswerBody, tenantBody, tenantDetailsBody, tenantPageBody } from './tenant.presenter.js';
import { cancelShredSchema, deletionRequestSchema, idSchema, listTenantsQuery, onboardTenantSchema, terminationSchema } from './tenant.schemas.js';
import type { z } from 'zod';

@Controller('v1/tenants')
@UseFilters(DomainErrorFilter)
export class TenantsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @Roles('operator')
  @HttpCode(201)
  async onboard(@ZodBody(onboardTenantSchema) body: z.output<typeof onboardTenantSchema>) {
    const { tenant, keyRing } = await this.commands.execute(new OnboardTenantCommand(body));
    return tenantBody(tenant, keyRing);
  }

  @Get()
  @Roles('ops-reader')
  async list(@ZodQuery(listTenantsQuery) query: z.output<typeof listTenantsQuery>) {
    const filter = { ...(query.status ? { status: query.status } : {}), ...(query.jurisdiction ? { jurisdiction: query.jurisdiction } : {}) };
    return tenantPageBody(await this.queries.execute(new ListTenantsQuery(filter, pageRequest(query))));
  }

  @Get(':tenantId')
  @Roles('ops-reader')
  async get(@ZodParam('tenantId', idSchema) tenantId: string) {
    const details = await this.queries.execute(new GetTenantQuery(tenantId));
    if (!details) throw ProblemException.notFound('tenant not found');
    return tenantDetailsBody(details);
  }

  @Post(':tenantId/terminations')
  @Roles('contract-system')
  @HttpCode(202)
  @Idempotent({ key: (body) => (body as { terminationId?: unknown } | undefined)?.terminationId, keyName: 'terminationId' })
  async terminate(@ZodParam('tenantId', idSchema) tenantId: string, @ZodBody(terminationSchema) body: z.output<ReturnType<typeof terminationSchema>>) {
    return shredAnswerBody(await this.commands.execute(new TerminateContractCommand(tenantId, body)));
  }

  @Post(':tenantId/deletion-requests')
  @Roles('contract-system')
  @HttpCode(202)
  @Idempotent({ key: (body) => (body as { requestId?: unknown } | undefined)?.requestId, keyName: 'requestId' })
  async requestDeletion(
    @ZodParam('tenantId', idSchema) tenantId: string,
    @ZodBody(deletionRequestSchema) body: z.output<ReturnType<typeof deletionRequestSchema>>,
  ) {
    return shredAnswerBody(await this.commands.execute(new RequestDeletionCommand(tenantId, body)));
  }

  @Post(':tenantId/shred/cancel')
  @Roles('operator')
  @HttpCode(200)
  @Idempotent({ key: 'header' })
  async cancel(@ZodParam('tenantId', idSchema) tenantId: string, @ZodBody(cancelShredSchema) body: z.output<typeof cancelShredSchema>) {
    return cancelBody(tenantId, await this.commands.execute(new CancelShredCommand(tenantId, body.reason, randomUUID())));
  }

  @Get(':tenantId/deletion-certificate')
  @Roles('ops-reader')
  async certificate(@ZodParam('tenantId', idSchema) tenantId: string) {
    const issued = await this.queries.execute(new GetCertificateQuery(tenantId));
    if (!issued) throw ProblemException.notFound('no deletion certificate for this tenant (yet): it is issued once the shred is verified');
    return new StreamableFile(issued, { type: 'application/json', length: issued.length });
  }
}
