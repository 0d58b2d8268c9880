import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { TenantView } from '@lethe/readmodel';
import { pageOf, type Page } from '../../paging/page.js';
import { ListShredsQuery, SHRED_STATUSES } from './list-shreds.query.js';

@QueryHandler(ListShredsQuery)
export class ListShredsHandler implements IQueryHandler<ListShredsQuery> {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async execute({ status, page }: ListShredsQuery): Promise<Page<TenantView>> {
    const q = this.db
      .getRepository(TenantView)
      .createQueryBuilder('t')
      .where('t.shred is not null')
      .andWhere('t.status in (:...statuses)', { statuses: status ? [status] : [...SHRED_STATUSES] })
      .orderBy('t.tenant_id')
      .limit(page.limit + 1);
    if (page.after) q.andWhere('t.tenant_id > :after', { after: page.after[0] });
    return pageOf(await q.getMany(), page.limit, (v) => [v.tenantId]);
  }
}
