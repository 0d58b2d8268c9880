// Which grants a page lists comes from the read model (rm_break_glass_grants); each grant is then read
// from its own stream, so the answer is exactly what its events say.
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type pg from 'pg';
import type { GrantState } from '@lethe/domain';
import { grantIdsPage, type Page } from '@lethe/readmodel';
import { LIFECYCLE_POOL } from '../../lifecycle.tokens.js';
import { BreakGlassRepository } from '../break-glass-repository.js';
import { grantOf } from '../grant-of.js';
import { ListGrantsQuery } from './list-grants.query.js';

@QueryHandler(ListGrantsQuery)
export class ListGrantsHandler implements IQueryHandler<ListGrantsQuery> {
  constructor(
    @Inject(BreakGlassRepository) private readonly grants: BreakGlassRepository,
    @Inject(LIFECYCLE_POOL) private readonly pool: pg.Pool,
  ) {}

  async execute({ filter, page }: ListGrantsQuery): Promise<Page<GrantState>> {
    const ids = await grantIdsPage(this.pool, filter, page);
    const loaded = await Promise.all(ids.items.map((id) => this.grants.load(id)));
    return { items: loaded.map((l) => grantOf(l.state)), nextCursor: ids.nextCursor };
  }
}
