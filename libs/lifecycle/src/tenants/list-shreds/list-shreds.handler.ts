import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { pageOf, ShredRow, type Page } from '@lethe/readmodel';
import { ListShredsQuery, SHREDS_LISTING } from './list-shreds.query.js';

@QueryHandler(ListShredsQuery)
export class ListShredsHandler implements IQueryHandler<ListShredsQuery> {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async execute({ status, page }: ListShredsQuery): Promise<Page<ShredRow>> {
    const q = this.db.getRepository(ShredRow).createQueryBuilder('s').orderBy('s.tenant_id').addOrderBy('s.shred_id').limit(page.limit + 1);
    if (status) q.andWhere('s.status = :status', { status });
    if (page.after) q.andWhere('(s.tenant_id, s.shred_id) > (:tenantId, :shredId)', { tenantId: page.after[0], shredId: page.after[1] });
    return pageOf(await q.getMany(), page.limit, SHREDS_LISTING, (s) => [s.tenantId, s.shredId]);
  }
}
