// /v1/tenants: onboarding, the tenant list, termination and deletion reports, shred cancellation, the
// tenant's status and its deletion certificate. Each route maps HTTP to one command or query.
import { Controller, Get, HttpCode, Post, Res, StreamableFile, UseFilters } from '@nestjs/common';
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
import { Answer, Idempotent, ProblemException, Problems, Roles, ZodBody, ZodParam, ZodQuery, type HttpResponse } from '../http/index.js';
import { cancelAnswer, certificateAnswer, EXAMPLES, shredScheduleAnswer, tenantAnswer, tenantPageAnswer } from './tenant.answers.js';
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
  @Answer(201, tenantAnswer, EXAMPLES.tenant, 'The tenant as stored, with its databases (also for the same body again)')
  @Answer(
    202,
    tenantAnswer,
    EXAMPLES.tenant,
    'The tenant is stored, but the key vault is unavailable: its key ring opens as soon as the vault answers (a durable timer retries; the same body again, or any key command on the tenant, opens it too)',
  )
  @Problems(409)
  async onboard(@ZodBody(onboardTenantSchema) body: z.output<typeof onboardTenantSchema>, @Res({ passthrough: true }) res: HttpResponse) {
    const { tenant, keyRing } = await this.commands.execute(new OnboardTenantCommand(body));
    if (!keyRing) res.status(202);
    return tenantBody(tenant, keyRing);
  }

  @Get()
  @Roles('ops-reader')
  @Answer(200, tenantPageAnswer, { items: [EXAMPLES.tenant], nextCursor: null })
  async list(@ZodQuery(listTenantsQuery) query: z.output<typeof listTenantsQuery>) {
    const filter = { ...(query.status ? { status: query.status } : {}), ...(query.jurisdiction ? { jurisdiction: query.jurisdiction } : {}) };
    return tenantPageBody(await this.queries.execute(new ListTenantsQuery(filter, pageRequest(query))));
  }

  @Get(':tenantId')
  @Roles('ops-reader')
  @Answer(200, tenantAnswer, EXAMPLES.tenant, 'The tenant, the same shape as onboarding answered, with its shred')
  @Problems(404)
  async get(@ZodParam('tenantId', idSchema) tenantId: string) {
    const details = await this.queries.execute(new GetTenantQuery(tenantId));
    if (!details) throw ProblemException.notFound('tenant not found', { code: 'tenant-not-found' });
    return tenantDetailsBody(details);
  }

  @Post(':tenantId/terminations')
  @Roles('contract-system')
  @HttpCode(202)
  // Another body under a terminationId is the domain's termination-conflict however it is caught.
  @Idempotent({ key: (body) => (body as { terminationId?: unknown } | undefined)?.terminationId, keyName: 'terminationId', reusedCode: 'termination-conflict' })
  @Answer(202, shredScheduleAnswer, EXAMPLES.shredSchedule, 'The shred this termination scheduled or joined; the same terminationId and body again gets the same answer (`Idempotent-Replayed: true`)')
  @Problems(404, 409)
  async terminate(@ZodParam('tenantId', idSchema) tenantId: string, @ZodBody(terminationSchema) body: z.output<ReturnType<typeof terminationSchema>>) {
    return shredAnswerBody(await this.commands.execute(new TerminateContractCommand(tenantId, body)));
  }

  @Post(':tenantId/deletion-requests')
  @Roles('contract-system')
  @HttpCode(202)
  @Idempotent({ key: (body) => (body as { requestId?: unknown } | undefined)?.requestId, keyName: 'requestId' })
  @Answer(202, shredScheduleAnswer, EXAMPLES.shredSchedule, 'The shred this deletion request scheduled or joined; the same requestId and body again gets the same answer')
  @Problems(404, 409)
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
  @Answer(200, cancelAnswer, EXAMPLES.cancel, 'The tenant is active again; the cancelled shred stands beside it')
  @Problems(404, 409)
  async cancel(@ZodParam('tenantId', idSchema) tenantId: string, @ZodBody(cancelShredSchema) body: z.output<typeof cancelShredSchema>) {
    return cancelBody(tenantId, await this.commands.execute(new CancelShredCommand(tenantId, body.reason, randomUUID())));
  }

  @Get(':tenantId/deletion-certificate')
  @Roles('ops-reader')
  @Answer(200, certificateAnswer, EXAMPLES.certificate, 'The signed certificate, the bytes as issued')
  @Problems(404)
  async certificate(@ZodParam('tenantId', idSchema) tenantId: string) {
    const issued = await this.queries.execute(new GetCertificateQuery(tenantId));
    if (!issued) throw ProblemException.notFound('no deletion certificate for this tenant (yet): it is issued once the shred is verified');
    return new StreamableFile(issued, { type: 'application/json', length: issued.length });
  }
}
