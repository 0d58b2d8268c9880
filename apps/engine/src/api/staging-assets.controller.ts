// /v1/tenants/{id}/staging-assets: staging blobs the platform made for the tenant. They are sealed
// with a platform key, so destroying the tenant key leaves them readable: the shred purges every
// one (P4) and the deletion certificate lists each with its purge instant.
import { Controller, Get, HttpCode, Post, UseFilters } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ListStagingAssetsQuery, RegisterStagingAssetCommand } from '@lethe/lifecycle';
import { Answer, Problems, Roles, ZodBody, ZodParam } from '../http/index.js';
import { EXAMPLES, stagingAssetAnswer, stagingAssetsAnswer } from './keys.answers.js';
import { DomainErrorFilter } from './domain-error.filter.js';
import { stagingAssetBody, stagingAssetsBody } from './keys.presenter.js';
import { stagingAssetSchema } from './staging-asset.schemas.js';
import { idSchema } from './tenant.schemas.js';
import type { z } from 'zod';

@Controller('v1/tenants/:tenantId/staging-assets')
@UseFilters(DomainErrorFilter)
export class StagingAssetsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  /** 201 with the asset as registered, also for a replay; 409 for the same id with another expiry or after the shred was executed. */
  @Post()
  @Roles('operator')
  @HttpCode(201)
  @Answer(201, stagingAssetAnswer, EXAMPLES.stagingAsset, 'The asset as registered (also for the same body again)')
  @Problems(404, 409)
  async register(@ZodParam('tenantId', idSchema) tenantId: string, @ZodBody(stagingAssetSchema) body: z.output<ReturnType<typeof stagingAssetSchema>>) {
    return stagingAssetBody(await this.commands.execute(new RegisterStagingAssetCommand(tenantId, { assetId: body.assetId, expiresAt: body.expiresAt ?? null })));
  }

  @Get()
  @Roles('ops-reader')
  @Answer(200, stagingAssetsAnswer, { stagingAssets: [EXAMPLES.stagingAsset] })
  @Problems(404)
  async list(@ZodParam('tenantId', idSchema) tenantId: string) {
    return stagingAssetsBody(await this.queries.execute(new ListStagingAssetsQuery(tenantId)));
  }
}
