// Schema of the local data plane. Each protected database holds its data key only wrapped by a tenant
// key version (through the KeyVault) and a sentinel record encrypted with that data key. Assets the
// customer key does not protect hold content sealed with the platform key; a purge sets the content to
// null and keeps the row (ids and purge instant) as the record of what was purged.
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CreateBlobAssets1764400000150 } from '../azure-blob/migrations.js';

export class CreateDataPlaneTables1764400000025 implements MigrationInterface {
  name = 'CreateDataPlaneTables1764400000025';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table dataplane_databases (
        tenant_id        text        not null,
        database_id      text        not null,
        key_version_id   text        not null,
        wrapped_data_key bytea       not null,
        sentinel         bytea       not null,
        protected_at     timestamptz not null,
        reprotected_at   timestamptz,
        primary key (tenant_id, database_id),
        constraint dataplane_databases_ids_check check (tenant_id <> '' and database_id <> '' and key_version_id <> '')
      )`);
    await queryRunner.query(`create index dataplane_databases_version_idx on dataplane_databases (key_version_id)`);
    await queryRunner.query(`
      create table dataplane_assets (
        tenant_id      text        not null,
        kind           text        not null,
        asset_id       text        not null,
        database_id    text,
        sealed_content bytea,
        created_at     timestamptz not null,
        purged_at      timestamptz,
        primary key (tenant_id, kind, asset_id),
        constraint dataplane_assets_kind_check check (kind in ('staging', 'platform-backup')),
        constraint dataplane_assets_purged_check check ((purged_at is null) = (sealed_content is not null)),
        constraint dataplane_assets_database_check check ((kind = 'platform-backup') = (database_id is not null)),
        constraint dataplane_assets_ids_check check (tenant_id <> '' and asset_id <> '')
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('drop table if exists dataplane_assets');
    await queryRunner.query('drop table if exists dataplane_databases');
  }
}

/**
 * Customer-key backups: each keeps a copy of its database's data key wrapped by the tenant key version
 * that protected the database when the backup was taken, and a sentinel sealed with the data key, so a
 * restore check proves both unwrap and decrypt. Deleting a backup nulls both and keeps the row (ids and
 * instants) as the record. Not touched by purgeAssets: destroying the key version shreds them.
 */
export class AddDataPlaneBackups1764400000026 implements MigrationInterface {
  name = 'AddDataPlaneBackups1764400000026';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table dataplane_key_backups (
        tenant_id        text        not null,
        backup_id        text        not null,
        database_id      text        not null,
        key_version_id   text        not null,
        wrapped_data_key bytea,
        sentinel         bytea,
        recorded_at      timestamptz not null,
        deleted_at       timestamptz,
        primary key (tenant_id, backup_id),
        constraint dataplane_key_backups_deleted_check check (
          (deleted_at is null) = (wrapped_data_key is not null) and (deleted_at is null) = (sentinel is not null)),
        constraint dataplane_key_backups_ids_check check (
          tenant_id <> '' and backup_id <> '' and database_id <> '' and key_version_id <> '')
      )`);
    await queryRunner.query(`create index dataplane_key_backups_version_idx on dataplane_key_backups (key_version_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('drop table if exists dataplane_key_backups');
  }
}

/**
 * Every migration of libs/dataplane, in order; pass to runMigrations of @lethe/postgres. The Azure Blob
 * asset store's table is created whichever asset store is configured, so switching needs no migration.
 */
export const dataplaneMigrations = [CreateDataPlaneTables1764400000025, AddDataPlaneBackups1764400000026, CreateBlobAssets1764400000150] as const;
