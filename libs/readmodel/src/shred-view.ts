// Read model of every shred a tenant ever had (GET /v1/shreds): one row per shred, kept after a
// cancel and after a later shred, so the history stays. Written by the tenants projection, from the
// same folded state as the tenant row.
import { Column, Entity, Index, PrimaryColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { ShredProgress } from '@lethe/domain';
import type { ShredView } from './tenant-view.js';

@Entity({ name: 'rm_shreds' })
@Index(['status', 'tenantId', 'shredId'])
export class ShredRow {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' })
  tenantId!: string;

  @PrimaryColumn({ name: 'shred_id', type: 'text' })
  shredId!: string;

  @Column({ type: 'text' })
  status!: ShredProgress;

  @Column({ type: 'jsonb' })
  shred!: ShredView;
}

/**
 * Shreds get their own rows (history), and a tenant whose last shred was cancelled is `active`. The
 * history of cancelled shreds was never kept, so the tenant views are emptied and rebuilt from the log:
 * the tenants projection's checkpoint goes back to 0 (the first start after the upgrade replays it).
 */
export class ShredHistory1764400000060 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table rm_shreds (
        tenant_id text not null, shred_id text not null, status text not null, shred jsonb not null,
        primary key (tenant_id, shred_id))`);
    await q.query('create index rm_shreds_status on rm_shreds (status, tenant_id, shred_id)');
    await q.query('truncate rm_tenants');
    await q.query(`update lethe_checkpoints set position = 0, updated_at = now() where processor = 'projection:tenants'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table rm_shreds');
    await q.query('truncate rm_tenants');
    await q.query(`update lethe_checkpoints set position = 0, updated_at = now() where processor = 'projection:tenants'`);
  }
}
