// Read model of break-glass grants: one row per grant with its status and window, so the grant list
// and the "active grants" metric read a small indexed table instead of scanning the log. The grants
// themselves are read from their streams (the rows only say which exist and which are open).
import type pg from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { breakGlassCategory, type GrantStatus } from '@lethe/domain';
import { pageOf, type Listing, type Page, type PageRequest } from './page-cursor.js';
import { on, type Delivered, type Processor } from '@lethe/processors';

export class CreateBreakGlassView1764400000180 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table rm_break_glass_grants (
        grant_id text primary key, requested_position bigint not null, status text not null, expires_at timestamptz)`);
    await q.query('create index rm_break_glass_grants_requested on rm_break_glass_grants (requested_position)');
    await q.query("create index rm_break_glass_grants_open on rm_break_glass_grants (expires_at) where status = 'approved'");
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table rm_break_glass_grants');
  }
}

const INTERESTS = [on(breakGlassCategory, ['BreakGlassRequested', 'BreakGlassActivated', 'BreakGlassRevoked', 'BreakGlassExpired'])] as const;

export class BreakGlassProjection implements Processor<typeof INTERESTS> {
  readonly name = 'projection:break-glass';
  readonly interests = INTERESTS;

  async handle(event: Delivered<typeof INTERESTS>, tx: pg.PoolClient): Promise<void> {
    const grantId = event.categoryId;
    switch (event.type) {
      case 'BreakGlassRequested':
        await tx.query(`insert into rm_break_glass_grants (grant_id, requested_position, status) values ($1, $2, 'requested') on conflict (grant_id) do nothing`, [grantId, event.position.toString()]);
        return;
      case 'BreakGlassActivated':
        await tx.query(`update rm_break_glass_grants set status = 'approved', expires_at = $2 where grant_id = $1`, [grantId, event.data.expiresAt]);
        return;
      case 'BreakGlassRevoked':
        await tx.query(`update rm_break_glass_grants set status = 'revoked' where grant_id = $1`, [grantId]);
        return;
      case 'BreakGlassExpired':
        await tx.query(`update rm_break_glass_grants set status = 'expired' where grant_id = $1`, [grantId]);
        return;
    }
  }
}

/** Grants approved whose window is open at `now` (revoked and expired ones excluded). */
export async function countActiveGrants(db: Pick<pg.Pool, 'query'>, now: Date): Promise<number> {
  const res = await db.query<{ n: string }>(`select count(*)::text as n from rm_break_glass_grants where status = 'approved' and expires_at > $1`, [now]);
  return Number(res.rows[0].n);
}

/** GET /v1/break-glass pages over grants newest first, by the log position of their request. */
export const GRANTS_LISTING: Listing = { name: 'break-glass-grants', key: ['number'] };

/**
 * Which grants a page lists: `status` a stored status, or `active` (approved and its window open at
 * `now`); absent: every grant.
 */
export interface GrantFilter {
  readonly status?: GrantStatus | 'active';
  readonly now: Date;
}

/** One page of grant ids, the newest first (the cursor is the request's log position). */
export async function grantIdsPage(db: Pick<pg.Pool, 'query'>, filter: GrantFilter, page: PageRequest): Promise<Page<string>> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (filter.status === 'active') where.push(`status = 'approved' and expires_at > ${param(filter.now)}`);
  else if (filter.status !== undefined) where.push(`status = ${param(filter.status)}`);
  if (page.after !== null) where.push(`requested_position < ${param(page.after[0])}`);
  // The position is read as text under another name: ordering by the output name would sort the text.
  const res = await db.query<{ grant_id: string; position: string }>(
    `select grant_id, requested_position::text as position from rm_break_glass_grants ${where.length > 0 ? `where ${where.join(' and ')}` : ''}
      order by requested_position desc limit ${param(page.limit + 1)}`,
    params,
  );
  const rows = pageOf(res.rows, page.limit, GRANTS_LISTING, (r) => [Number(r.position)]);
  return { items: rows.items.map((r) => r.grant_id), nextCursor: rows.nextCursor };
}
