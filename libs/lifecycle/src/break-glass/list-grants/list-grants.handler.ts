// Which grants exist comes from the read model (rm_break_glass_grants); each grant is then read from
// its own stream, so the answer is exactly what its events say (there are few: a handful a year).
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type pg from 'pg';
import type { GrantState } from '@lethe/domain';
import { newestGrantIds } from '@lethe/readmodel';
import { LIFECYCLE_POOL } from '../../lifecycle.tokens.js';
import { BreakGlassRepository } from '../break-glass-repository.js';
import { grantOf } from '../grant-of.js';
import { ListGrantsQuery, MAX_LISTED_GRANTS } from './list-grants.query.js';

@QueryHandler(ListGrantsQuery)
export class ListGrantsHandler implements IQueryHandler<ListGrantsQuery> {
  constructor(
    @Inject(BreakGlassRepository) private readonly grants: BreakGlassRepository,
    @Inject(LIFECYCLE_POOL) private readonly pool: pg.Pool,
  ) {}

  async execute(): Promise<GrantState[]> {
    const ids = await newestGrantIds(this.pool, MAX_LISTED_GRANTS);
    const loaded = await Promise.all(ids.map((id) => this.grants.load(id)));
    return loaded.map((l) => grantOf(l.state));
  }
}
