import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { KeyRingRepository } from '../../keys/key-ring-repository.js';
import { TenantRepository } from '../tenant-repository.js';
import { selectTenantRows } from '../tenant-rows.js';
import { GetTenantQuery, type TenantDetails } from './get-tenant.query.js';

@QueryHandler(GetTenantQuery)
export class GetTenantHandler implements IQueryHandler<GetTenantQuery> {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(TenantRepository) private readonly tenants: TenantRepository,
    @Inject(KeyRingRepository) private readonly keyRings: KeyRingRepository,
  ) {}

  async execute({ tenantId }: GetTenantQuery): Promise<TenantDetails> {
    const [row] = await selectTenantRows(this.db, { tenantId }, 1);
    if (row) return { source: 'read-model', row };
    const { state: tenant } = await this.tenants.load(tenantId);
    if (!tenant.exists) return null;
    const { state: keyRing } = await this.keyRings.load(tenantId);
    return { source: 'aggregates', tenant, keyRing };
  }
}
