// What the `azure-keyvault` adapter keeps beside the vault, in Lethe's database. Key Vault holds the
// material; these tables hold what Key Vault cannot: which tenant a key belongs to (names of hashed
// tenant ids are not reversible), the order versions were made in (Key Vault's timestamps have
// one-second resolution), the request each version was made for (idempotent rotation), versions
// destroyed one at a time (Key Vault can only disable a single version), and the tombstone that
// outlives a purge (Key Vault frees a purged name for reuse; Lethe never does).
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAzureKeyVaultTables1764400000171 implements MigrationInterface {
  name = 'CreateAzureKeyVaultTables1764400000171';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table vault_azure_keys (
        tenant_id          text        primary key,
        key_name           text        not null unique,
        created_at         timestamptz not null,
        deleted_at         timestamptz,
        purge_scheduled_at timestamptz,
        purged_at          timestamptz,
        constraint vault_azure_keys_purged_check check (purged_at is null or deleted_at is not null)
      )`);
    await q.query(`
      create table vault_azure_key_versions (
        version_id   text        primary key,
        key_name     text        not null references vault_azure_keys (key_name),
        seq          bigint      generated always as identity,
        created_at   timestamptz not null,
        request_id   text,
        destroyed_at timestamptz
      )`);
    await q.query('create index vault_azure_key_versions_key_idx on vault_azure_key_versions (key_name, seq)');
    await q.query('create unique index vault_azure_key_versions_request on vault_azure_key_versions (key_name, request_id) where request_id is not null');
    // Irreversible facts stay irreversible: a tombstone, a purge and a destroyed version.
    await q.query(`
      create function vault_azure_guard() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          raise exception 'vault: Azure key records are never deleted';
        end if;
        if tg_table_name = 'vault_azure_keys' then
          if (old.deleted_at is not null and new.deleted_at is distinct from old.deleted_at)
              or (old.purged_at is not null and new.purged_at is distinct from old.purged_at)
              or new.key_name <> old.key_name or new.tenant_id <> old.tenant_id then
            raise exception 'vault: Azure key % is tombstoned or cannot change identity', old.key_name;
          end if;
        elsif old.destroyed_at is not null and new.destroyed_at is distinct from old.destroyed_at then
          raise exception 'vault: key version % is destroyed', old.version_id;
        end if;
        return new;
      end $$`);
    await q.query('create trigger vault_azure_keys_guard before update or delete on vault_azure_keys for each row execute function vault_azure_guard()');
    await q.query(
      'create trigger vault_azure_key_versions_guard before update or delete on vault_azure_key_versions for each row execute function vault_azure_guard()',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table if exists vault_azure_key_versions');
    await q.query('drop table if exists vault_azure_keys');
    await q.query('drop function if exists vault_azure_guard()');
  }
}

/** The azure-keyvault adapter's migrations; run with the engine's (apps/engine database.ts). */
export const azureKeyVaultMigrations = [CreateAzureKeyVaultTables1764400000171] as const;
