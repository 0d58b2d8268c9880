// Read model of break-glass grants: one row per grant with its status and window, so the grant list
// and the "active grants" metric read a small indexed table instead of scanning the log. The grants
// themselves are read from their streams (the rows only say which exist and which are open).
import type pg from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { breakGlassCategory } from '@lethe/domain';
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

/** The newest grant ids first. */
export async function newestGrantIds(db: Pick<pg.Pool, 'query'>, limit: number): Promise<string[]> {
  const res = await db.query<{ grant_id: string }>('select grant_id from rm_break_glass_grants order by requested_position desc limit $1', [limit]);
  return res.rows.map((r) => r.grant_id);
}
