// The local vault's part of a master key rotation (`lethe master-key rotate`; libs/dataplane's
// rotateMasterKey runs the whole of it in one transaction): lock the vault's tables, check that the
// key given as current is the one the database is bound to, re-seal every key version's material under
// the new key's material sub-key, verify, and bind the database to the new key (its check value).
//
// Destroyed versions hold no material (null) and are left as they are. Disabled versions keep theirs
// (they may still be needed by whoever re-enables them) and are re-sealed like enabled ones.
import { timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import type { MasterKey } from '../secret-key.js';
import { MATERIAL_PURPOSE, materialContext } from './material.js';
import { KEY_CHECK_SCHEME, masterKeyCheckValue } from './master-key-check.js';
import { countSealedRows, openSealedColumn, resealColumn, type SealedColumn, type SealedColumnPass } from './reseal.js';

/** The key given as the current one is not the one this database is bound to. */
export class CurrentMasterKeyMismatchError extends Error {
  readonly code = 'CURRENT_MASTER_KEY_MISMATCH';
  constructor() {
    super(
      "the current master key given (LETHE_MASTER_KEY, or master.key in LETHE_DATA_DIR) does not match this database's check value " +
        '(vault_master_key_check): give the key the engines run with',
    );
    this.name = 'CurrentMasterKeyMismatchError';
  }
}

/** The vault's sealed column: each version's 32 random bytes, sealed under the material sub-key. */
export const KEY_MATERIAL_COLUMN: SealedColumn = {
  table: 'vault_key_versions',
  column: 'wrapped_material',
  key: ['version_id'],
  context: ([versionId]) => materialContext(versionId),
  describe: ([versionId]) => `the material of key version ${versionId}`,
};

/** Where the database's check value stands against the two keys of a rotation. */
export type MasterKeyBinding =
  /** The stored check value is the current key's. */
  | 'current'
  /** No check value is stored (a database no engine has booted on since the check existed). */
  | 'none'
  /** The stored check value is already the new key's: a rotation to it was committed before. */
  | 'new';

function same(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Locks the vault's tables against every writer until the transaction ends (readers go on), then
 * reads which key the database is bound to.
 * @throws CurrentMasterKeyMismatchError when a check value is stored and is neither key's.
 */
export async function lockVaultForMasterKeyRotation(client: pg.ClientBase, from: MasterKey, to: MasterKey): Promise<MasterKeyBinding> {
  await client.query('lock table vault_master_key_check, vault_key_versions in exclusive mode');
  const res = await client.query<{ check_value: Buffer }>('select check_value from vault_master_key_check where id');
  const stored = res.rows[0]?.check_value;
  if (stored === undefined) return 'none';
  if (same(stored, masterKeyCheckValue(from))) return 'current';
  if (same(stored, masterKeyCheckValue(to))) return 'new';
  throw new CurrentMasterKeyMismatchError();
}

/** The number of key versions holding sealed material. */
export function countSealedKeyMaterial(client: pg.ClientBase): Promise<number> {
  return countSealedRows(client, KEY_MATERIAL_COLUMN);
}

/** Re-seals every version's material from `from` to `to` (see reseal.ts). */
export function resealKeyMaterial(client: pg.ClientBase, from: MasterKey, to: MasterKey, onRows?: (rows: number) => void): Promise<SealedColumnPass> {
  return resealColumn(client, KEY_MATERIAL_COLUMN, from.derive(MATERIAL_PURPOSE), to.derive(MATERIAL_PURPOSE), 'current master key', onRows);
}

/** Opens every version's material with `key` (the verification pass). */
export function openKeyMaterial(client: pg.ClientBase, key: MasterKey, onRows?: (rows: number) => void): Promise<SealedColumnPass> {
  return openSealedColumn(client, KEY_MATERIAL_COLUMN, key.derive(MATERIAL_PURPOSE), 'new master key', onRows);
}

/** Binds the database to `key`: its check value replaces the stored one (or is stored). */
export async function storeMasterKeyCheck(client: pg.ClientBase, key: MasterKey): Promise<void> {
  await client.query(
    `insert into vault_master_key_check (id, scheme, check_value) values (true, $1, $2)
     on conflict (id) do update set scheme = excluded.scheme, check_value = excluded.check_value, created_at = now()`,
    [KEY_CHECK_SCHEME, masterKeyCheckValue(key)],
  );
}
