import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource, In } from 'typeorm';
import { KeyRingView, pageOf, TenantView, type Page } from '@lethe/readmodel';
import { ListTenantsQuery, TENANTS_LISTING, type ListedTenant } from './list-tenants.query.js';

@QueryHandler(ListTenantsQuery)
export class ListTenantsHandler implements IQueryHandler<ListTenantsQuery> {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async execute({ filter, page }: ListTenantsQuery): Promise<Page<ListedTenant>> {
    const q = this.db.getRepository(TenantView).createQueryBuilder('t').orderBy('t.tenant_id').limit(page.limit + 1);
    if (filter.status) q.andWhere('t.status = :status', { status: filter.status });
    if (filter.jurisdiction) q.andWhere('t.jurisdiction = :jurisdiction', { jurisdiction: filter.jurisdiction });
    if (page.after) q.andWhere('t.tenant_id > :after', { after: page.after[0] });
    const views = pageOf(await q.getMany(), page.limit, TENANTS_LISTING, (v) => [v.tenantId]);
    const ids = views.items.map((v) => v.tenantId);
    const rings = ids.length === 0 ? [] : await this.db.getRepository(KeyRingView).findBy({ tenantId: In(ids) });
    const ringOf = new Map(rings.map((r) => [r.tenantId, r]));
    return { items: views.items.map((view) => ({ view, ring: ringOf.get(view.tenantId) ?? null })), nextCursor: views.nextCursor };
  }
}
