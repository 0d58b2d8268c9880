// Grants are read from their own streams (no read model): there are few, and each answer is then
// exactly what its events say, the expiry a timer has not recorded yet included by the caller.
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type pg from 'pg';
import { breakGlassCategory, type GrantState } from '@lethe/domain';
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
    // Each grant's first event (revision 0) is its request: one indexed row per grant.
    const rows = await this.pool.query<{ stream_id: string }>(
      `select stream_id from lethe_events where event_type = 'BreakGlassRequested' and stream_revision = 0 and stream_id like $1 order by global_position desc limit $2`,
      [`${breakGlassCategory.name}-%`, MAX_LISTED_GRANTS],
    );
    const loaded = await Promise.all(rows.rows.map((r) => this.grants.load(breakGlassCategory.idOf(r.stream_id)!)));
    return loaded.map((l) => grantOf(l.state));
  }
}
