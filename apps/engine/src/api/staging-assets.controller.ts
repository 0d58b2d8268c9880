// /v1/tenants/{id}/staging-assets: staging blobs the platform made for the tenant. They are sealed
// with a platform key, so destroying the tenant key leaves them readable: the shred purges every
// one (P4) and the deletion certificate lists each with its purge instant.
import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import type { Lifecycle } from '@lethe/lifecycle';
import { Roles, ZodBody, ZodParam } from '../http/index.js';
import { answering } from './domain-errors.js';
import { LIFECYCLE } from './lifecycle.token.js';
import { stagingAssetSchema } from './staging-asset.schemas.js';
import { idSchema } from './tenant.schemas.js';
import type { z } from 'zod';

@Controller('v1/tenants/:tenantId/staging-assets')
export class StagingAssetsController {
  constructor(@Inject(LIFECYCLE) private readonly lifecycle: Lifecycle) {}

  /** 201 with the asset as registered, also for a replay; 409 for the same id with another expiry or after the shred was executed. */
  @Post()
  @Roles('operator')
  @HttpCode(201)
  register(@ZodParam('tenantId', idSchema) tenantId: string, @ZodBody(stagingAssetSchema) body: z.output<ReturnType<typeof stagingAssetSchema>>) {
    return answering(() => this.lifecycle.keys.registerStagingAsset(tenantId, { assetId: body.assetId, expiresAt: body.expiresAt ?? null }));
  }

  @Get()
  @Roles('ops-reader')
  async list(@ZodParam('tenantId', idSchema) tenantId: string) {
    return { stagingAssets: await answering(() => this.lifecycle.keys.stagingAssets(tenantId)) };
  }
}
