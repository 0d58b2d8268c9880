import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { KeyRingView, TenantView } from '@lethe/readmodel';
import { KeyRingRepository } from '../../keys/key-ring-repository.js';
import { TenantRepository } from '../tenant-repository.js';
import { GetTenantQuery, type TenantDetails } from './get-tenant.query.js';

@QueryHandler(GetTenantQuery)
export class GetTenantHandler implements IQueryHandler<GetTenantQuery> {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(TenantRepository) private readonly tenants: TenantRepository,
    @Inject(KeyRingRepository) private readonly keyRings: KeyRingRepository,
  ) {}

  async execute({ tenantId }: GetTenantQuery): Promise<TenantDetails> {
    const [view, ring] = await Promise.all([this.db.getRepository(TenantView).findOneBy({ tenantId }), this.db.getRepository(KeyRingView).findOneBy({ tenantId })]);
    if (view) return { source: 'read-model', view, ring };
    const { state: tenant } = await this.tenants.load(tenantId);
    if (!tenant.exists) return null;
    const { state: keyRing } = await this.keyRings.load(tenantId);
    return { source: 'aggregates', tenant, keyRing };
  }
}
