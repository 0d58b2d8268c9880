// The privileged operations: each needs an active break-glass grant covering it. The use case decides
// the operation first, then records the grant's use or refusal, then acts (privileged-access.ts).
import { Controller, Headers, HttpCode, Post, UseFilters } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { EnableKeyVersionCommand, ExecuteShredNowCommand, ReadSentinelQuery } from '@lethe/lifecycle';
import { Answer, Caller, Problems, Roles, ZodBody, ZodParam, type CallerContext } from '../../http/index.js';
import { DomainErrorFilter } from '../domain-error.filter.js';
import { idSchema } from '../tenant.schemas.js';
import { EXAMPLES, keyVersionEnabledAnswer, probeReadAnswer, shredForcedAnswer } from './break-glass.answers.js';
import { keyVersionIdSchema, probeReadSchema } from './break-glass.schemas.js';
import { BREAK_GLASS_HEADER, breakGlassClaim, Privileged } from './privileged-access.js';
import type { z } from 'zod';

@Controller('v1/tenants')
@UseFilters(DomainErrorFilter)
export class PrivilegedController {
  constructor(
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
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
    return this.queries.execute(new ReadSentinelQuery(tenantId, body.databaseId, breakGlassClaim(grant, caller)));
  }

  @Post(':tenantId/shred/execute-now')
  @Roles('operator')
  @Privileged('shred.execute-now')
  @HttpCode(202)
  @Answer(202, shredForcedAnswer, EXAMPLES.shredForced, 'The scheduled shred executes now (break-glass `shred.execute-now`): its execution timer fires at once; the deadline is unchanged')
  @Problems(404, 409)
  async executeNow(
    @ZodParam('tenantId', idSchema) tenantId: string,
    @Headers(BREAK_GLASS_HEADER.toLowerCase()) grant: string | undefined,
    @Caller() caller: CallerContext | undefined,
  ) {
    return this.commands.execute(new ExecuteShredNowCommand(tenantId, breakGlassClaim(grant, caller), randomUUID()));
  }

  @Post(':tenantId/keys/versions/:keyVersionId/enable')
  @Roles('operator')
  @Privileged('key-version.enable')
  @HttpCode(200)
  @Answer(
    200,
    keyVersionEnabledAnswer,
    EXAMPLES.keyVersionEnabled,
    "A retired key version wraps and unwraps again until the grant's window ends, then is retired again (break-glass `key-version.enable`)",
  )
  @Problems(404, 409)
  async enableKeyVersion(
    @ZodParam('tenantId', idSchema) tenantId: string,
    @ZodParam('keyVersionId', keyVersionIdSchema) keyVersionId: string,
    @Headers(BREAK_GLASS_HEADER.toLowerCase()) grant: string | undefined,
    @Caller() caller: CallerContext | undefined,
  ) {
    return this.commands.execute(new EnableKeyVersionCommand(tenantId, keyVersionId, breakGlassClaim(grant, caller)));
  }
}
