// Schema of the local KeyVault. Key material is stored only wrapped by the master key (which never
// enters the database), and a destroyed version's wrapped material is set to null. Triggers make the
// two irreversible facts irreversible in the database too: a destroyed version never comes back, and
// a tombstoned key is never un-tombstoned, deleted, or given a new version.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateVaultTables1764400000020 implements MigrationInterface {
  name = 'CreateVaultTables1764400000020';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table vault_keys (
        key_id        text        primary key,
        tenant_id     text        not null,
        created_at    timestamptz not null,
        tombstoned_at timestamptz,
        constraint vault_keys_tenant_unique unique (tenant_id),
        constraint vault_keys_key_id_check check (key_id <> ''),
        constraint vault_keys_tenant_id_check check (tenant_id <> '')
      )`);
    await queryRunner.query(`
      create table vault_key_versions (
        version_id       text        primary key,
        key_id           text        not null references vault_keys (key_id),
        seq              bigint      generated always as identity,
        state            text        not null default 'enabled',
        wrapped_material bytea,
        created_at       timestamptz not null,
        disabled_at      timestamptz,
        unusable_at      timestamptz,
        purged_at        timestamptz,
        constraint vault_key_versions_state_check check (state in ('enabled', 'disabled', 'destroyed')),
        constraint vault_key_versions_material_check check ((state = 'destroyed') = (wrapped_material is null)),
        constraint vault_key_versions_unusable_check check ((state = 'destroyed') = (unusable_at is not null)),
        constraint vault_key_versions_purged_check check (purged_at is null or state = 'destroyed')
      )`);
    await queryRunner.query(`create index vault_key_versions_key_idx on vault_key_versions (key_id, seq)`);

    await queryRunner.query(`
      create function vault_guard_version() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          if exists (select 1 from vault_keys where key_id = new.key_id and tombstoned_at is not null) then
            raise exception 'vault: key % is tombstoned', new.key_id;
          end if;
          return new;
        end if;
        if tg_op = 'DELETE' then
          raise exception 'vault: key versions are never deleted (%)', old.version_id;
        end if;
        if old.state = 'destroyed' and (new.state <> 'destroyed' or new.wrapped_material is not null
            or new.unusable_at is distinct from old.unusable_at or new.purged_at is distinct from old.purged_at) then
          raise exception 'vault: key version % is destroyed', old.version_id;
        end if;
        return new;
      end $$`);
    await queryRunner.query(`
      create trigger vault_key_versions_guard before insert or update or delete on vault_key_versions
      for each row execute function vault_guard_version()`);

    await queryRunner.query(`
      create function vault_guard_key() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          raise exception 'vault: keys are never deleted (%)', old.key_id;
        end if;
        if old.tombstoned_at is not null and new.tombstoned_at is distinct from old.tombstoned_at then
          raise exception 'vault: key % is tombstoned', old.key_id;
        end if;
        if new.tenant_id <> old.tenant_id or new.key_id <> old.key_id then
          raise exception 'vault: key % cannot change identity', old.key_id;
        end if;
        return new;
      end $$`);
    await queryRunner.query(`
      create trigger vault_keys_guard before update or delete on vault_keys
      for each row execute function vault_guard_key()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('drop table if exists vault_key_versions');
    await queryRunner.query('drop table if exists vault_keys');
    await queryRunner.query('drop function if exists vault_guard_version()');
    await queryRunner.query('drop function if exists vault_guard_key()');
  }
}

/**
 * The master key's check value (one row; see master-key-check.ts). Never the key: an HMAC under a
 * sub-key of it, enough to tell at boot that LETHE_MASTER_KEY / master.key is not this vault's.
 */
export class CreateMasterKeyCheck1764400000021 implements MigrationInterface {
  name = 'CreateMasterKeyCheck1764400000021';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table vault_master_key_check (
        id          boolean     primary key default true,
        scheme      text        not null,
        check_value bytea       not null,
        created_at  timestamptz not null default now(),
        constraint vault_master_key_check_single check (id),
        constraint vault_master_key_check_length check (octet_length(check_value) = 32)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('drop table if exists vault_master_key_check');
  }
}

/** Every migration of libs/vault, in order; pass to runMigrations of @lethe/postgres. */
/** Version creation idempotent by the asking command's id (issue 11): a retry adopts the version. */
export class VersionRequestIds1764400000070 implements MigrationInterface {
  name = 'VersionRequestIds1764400000070';

  async up(q: QueryRunner): Promise<void> {
    await q.query('alter table vault_key_versions add column request_id text');
    await q.query('create unique index vault_key_versions_request on vault_key_versions (key_id, request_id) where request_id is not null');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop index vault_key_versions_request');
    await q.query('alter table vault_key_versions drop column request_id');
  }
}

/**
 * Deletion windows of the local vault (tests and simulations: a vault that purges later, or is slow to
 * make a version unusable). A destroyed version may keep its sealed material until it is purged:
 * material is gone exactly when purged_at is set, and `purge_due_at` is when the vault purges it. The
 * guard still lets a destroyed version change in two ways only: its material purged, once, and, until
 * then, re-sealed under a new master key (`lethe master-key rotate`); purged material never comes back.
 */
export class LocalVaultDeletionWindows1764400000170 implements MigrationInterface {
  name = 'LocalVaultDeletionWindows1764400000170';

  async up(q: QueryRunner): Promise<void> {
    await q.query('alter table vault_key_versions add column purge_due_at timestamptz');
    await q.query('alter table vault_key_versions drop constraint vault_key_versions_material_check');
    await q.query(
      'alter table vault_key_versions add constraint vault_key_versions_material_check check ((wrapped_material is null) = (purged_at is not null))',
    );
    await q.query(`
      create or replace function vault_guard_version() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          if exists (select 1 from vault_keys where key_id = new.key_id and tombstoned_at is not null) then
            raise exception 'vault: key % is tombstoned', new.key_id;
          end if;
          return new;
        end if;
        if tg_op = 'DELETE' then
          raise exception 'vault: key versions are never deleted (%)', old.version_id;
        end if;
        -- A destroyed version stays destroyed; what is left to change is its purge (material erased, once)
        -- and, until then, a re-seal of its material under a new master key.
        if old.state = 'destroyed' and (new.state <> 'destroyed'
            or new.unusable_at is distinct from old.unusable_at
            or new.purge_due_at is distinct from old.purge_due_at
            or (old.purged_at is not null and new.purged_at is distinct from old.purged_at)
            or (old.wrapped_material is null and new.wrapped_material is not null)) then
          raise exception 'vault: key version % is destroyed', old.version_id;
        end if;
        return new;
      end $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('alter table vault_key_versions drop constraint vault_key_versions_material_check');
    await q.query(
      "alter table vault_key_versions add constraint vault_key_versions_material_check check ((state = 'destroyed') = (wrapped_material is null))",
    );
    await q.query('alter table vault_key_versions drop column purge_due_at');
  }
}

export const vaultMigrations = [
  CreateVaultTables1764400000020,
  CreateMasterKeyCheck1764400000021,
  VersionRequestIds1764400000070,
  LocalVaultDeletionWindows1764400000170,
] as const;
