import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { pageOf, type Page } from '@lethe/readmodel';
import { selectTenantRows, type TenantRow } from '../tenant-rows.js';
import { ListTenantsQuery, TENANTS_LISTING } from './list-tenants.query.js';

@QueryHandler(ListTenantsQuery)
export class ListTenantsHandler implements IQueryHandler<ListTenantsQuery> {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async execute({ filter, page }: ListTenantsQuery): Promise<Page<TenantRow>> {
    const rows = await selectTenantRows(this.db, { ...filter, after: page.after?.[0] as string | undefined }, page.limit + 1);
    return pageOf(rows, page.limit, TENANTS_LISTING, (t) => [t.tenantId]);
  }
}
