// /v1/shreds: shreds across tenants, by status, for ops dashboards.
import { Controller, Get } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Not, IsNull, type Repository } from 'typeorm';
import { TenantView } from '@lethe/readmodel';
import { Roles, ZodQuery } from '../http/index.js';
import { listShredsQuery, SHRED_STATUSES } from './tenant.schemas.js';
import type { z } from 'zod';

@Controller('v1/shreds')
export class ShredsController {
  constructor(@InjectRepository(TenantView) private readonly views: Repository<TenantView>) {}

  @Get()
  @Roles('ops-reader')
  async list(@ZodQuery(listShredsQuery) query: z.output<typeof listShredsQuery>) {
    const rows = await this.views.find({
      where: { shred: Not(IsNull()), status: query.status ? query.status : In([...SHRED_STATUSES]) },
      order: { tenantId: 'ASC' },
      take: 1000,
    });
    return { shreds: rows.map((v) => ({ tenantId: v.tenantId, status: v.status, ...v.shred })) };
  }
}
