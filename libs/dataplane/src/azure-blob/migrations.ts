// The Azure Blob asset store's record in PostgreSQL. The blobs hold the content (sealed with the
// platform key); this table holds what must outlive them: which assets were registered, which were
// purged and when, and what each purge deleted (blob names, and how many blob objects each had: the
// blob, its snapshots and versions). Names the purge found under a tenant's prefix that Lethe never
// registered are recorded too (registered_at null), before they are deleted.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateBlobAssets1764400000150 implements MigrationInterface {
  name = 'CreateBlobAssets1764400000150';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table dataplane_blob_assets (
        tenant_id            text        not null,
        kind                 text        not null,
        asset_id             text        not null,
        database_id          text,
        registered_at        timestamptz,
        purged_at            timestamptz,
        deleted_objects      integer     not null default 0,
        soft_deleted_objects integer     not null default 0,
        primary key (tenant_id, kind, asset_id),
        constraint dataplane_blob_assets_kind_check check (kind in ('staging', 'platform-backup')),
        constraint dataplane_blob_assets_database_check check (database_id is null or kind = 'platform-backup'),
        constraint dataplane_blob_assets_counts_check check (deleted_objects >= 0 and soft_deleted_objects >= 0),
        constraint dataplane_blob_assets_ids_check check (tenant_id <> '' and asset_id <> '')
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('drop table if exists dataplane_blob_assets');
  }
}
