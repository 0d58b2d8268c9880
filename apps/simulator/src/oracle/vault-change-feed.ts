// The vault's change feed, as a cloud KMS's audit log would give it: every insert or update of a key
// or key version notes the key's id, in the same transaction, so the oracle re-reads only the keys
// that changed since its last read instead of the whole vault at every step (a 1,000-tenant fleet
// holds tens of thousands of versions after ten years, and the clock steps tens of thousands of times).
// The simulator installs it in the run's own database after the engine created the vault's tables;
// it adds nothing the engine reads, and holds ids only, never key material.
import type pg from 'pg';

export const VAULT_CHANGES_TABLE = 'simulator_vault_changes';

/** Creates the feed's table and triggers (idempotent). Needs the vault's tables (the engine's migrations). */
export async function installVaultChangeFeed(pool: pg.Pool): Promise<void> {
  await pool.query(`
    create table if not exists ${VAULT_CHANGES_TABLE} (key_id text not null);
    create or replace function simulator_note_vault_change() returns trigger language plpgsql as $$
    begin
      insert into ${VAULT_CHANGES_TABLE} (key_id) values (new.key_id);
      return null;
    end $$;
    create or replace trigger simulator_vault_keys_changed after insert or update on vault_keys
      for each row execute function simulator_note_vault_change();
    create or replace trigger simulator_vault_key_versions_changed after insert or update on vault_key_versions
      for each row execute function simulator_note_vault_change();`);
}

/**
 * Takes the ids of the keys changed since the last take, inside the caller's transaction: a change
 * committed after the transaction's snapshot is neither seen nor removed, so the next take finds it
 * (no cursor that a late commit could slip behind).
 */
export async function takeVaultChanges(client: pg.ClientBase): Promise<Set<string>> {
  const r = await client.query<{ key_id: string }>(`delete from ${VAULT_CHANGES_TABLE} returning key_id`);
  return new Set(r.rows.map((row) => row.key_id));
}
