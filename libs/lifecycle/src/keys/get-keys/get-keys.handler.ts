import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type pg from 'pg';
import { KeyRingQueries } from '@lethe/readmodel';
import { LIFECYCLE_POOL } from '../../lifecycle.tokens.js';
import { GetKeysQuery, type KeyRingVersions } from './get-keys.query.js';

@QueryHandler(GetKeysQuery)
export class GetKeysHandler implements IQueryHandler<GetKeysQuery> {
  private readonly queries: KeyRingQueries;

  constructor(@Inject(LIFECYCLE_POOL) pool: pg.Pool) {
    this.queries = new KeyRingQueries(pool);
  }

  async execute({ tenantId, page }: GetKeysQuery): Promise<KeyRingVersions> {
    const ring = await this.queries.ring(tenantId);
    if (!ring) return null;
    return { ring, versions: await this.queries.keyVersions(tenantId, page) };
  }
}
