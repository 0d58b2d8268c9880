import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type pg from 'pg';
import { CLOCK, type Clock } from '@lethe/clock';
import { KeyRingQueries, type BackupItem, type Page } from '@lethe/readmodel';
import { LIFECYCLE_POOL } from '../../lifecycle.tokens.js';
import { ListBackupsQuery } from './list-backups.query.js';

@QueryHandler(ListBackupsQuery)
export class ListBackupsHandler implements IQueryHandler<ListBackupsQuery> {
  private readonly queries: KeyRingQueries;

  constructor(
    @Inject(LIFECYCLE_POOL) pool: pg.Pool,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.queries = new KeyRingQueries(pool);
  }

  async execute({ tenantId, filter }: ListBackupsQuery): Promise<Page<BackupItem> | null> {
    if (!(await this.queries.ring(tenantId))) return null;
    // A backup is live or expired as of now (the clock's, so the manual clock's too).
    return this.queries.backups(tenantId, { ...filter, now: this.clock.now() });
  }
}
