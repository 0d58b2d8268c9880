// Binds a database's local vault to its master key, so a lost or replaced master key stops the
// engine at boot instead of surfacing later as unreadable key versions (re-protection retrying for
// ever, backups answering 500).
//
// The check value (KCV) is HMAC-SHA256 of a fixed label under an HKDF sub-key of the master key
// (purpose KEY_CHECK_PURPOSE). It is independent of every other sub-key, so it reveals nothing about
// the master key or the material it seals; it only tells "same key" from "another key". It is kept in
// `vault_master_key_check` (one row) and compared in constant time.
//
// Decision at boot (checkMasterKey):
// - a stored KCV: it must match, else MasterKeyCheckError;
// - no KCV, but the vault holds sealed material (a database from before the check existed): the key
//   must open the newest sealed version (AES-GCM authenticates, so only the right key does), then the
//   KCV is stored; else MasterKeyCheckError;
// - no KCV and no sealed material (an empty database, or every version destroyed): the KCV is stored.
// Instances booting together agree: the KCV is inserted once (on conflict do nothing) and each one
// compares against the stored row.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { MasterKeyCheckError, MasterKeySupersededError } from '../errors.js';
import type { MasterKey } from '../secret-key.js';
import { MATERIAL_PURPOSE, materialContext } from './material.js';

/** HKDF purpose of the sub-key under which the check value is computed. */
export const KEY_CHECK_PURPOSE = 'lethe/vault/local/key-check/v1';
const KEY_CHECK_LABEL = 'lethe master key check value';
/** Names how the stored value was computed, so a future scheme can tell its rows apart. */
export const KEY_CHECK_SCHEME = 'hkdf-sha256+hmac-sha256/v1';

/** The master key's check value: 32 bytes, safe to store (never the key, nor material it seals). */
export function masterKeyCheckValue(masterKey: MasterKey): Buffer {
  const sub = masterKey.derive(KEY_CHECK_PURPOSE).exportBytes();
  try {
    return createHmac('sha256', sub).update(KEY_CHECK_LABEL, 'utf8').digest();
  } finally {
    sub.fill(0);
  }
}

export type MasterKeyCheckOutcome =
  /** The stored check value matches. */
  | 'matched'
  /** No check value yet and nothing sealed: this key's value was stored (first boot). */
  | 'stored'
  /** No check value yet: the key opened the vault's newest sealed version, and its value was stored. */
  | 'adopted';

/**
 * Checks `masterKey` against the database's vault (see the file comment), storing the check value
 * when there is none. Needs the vault migrations applied.
 * @throws MasterKeyCheckError naming the key's source and `dataDir` when the key is not the vault's.
 */
export async function checkMasterKey(pool: pg.Pool, masterKey: MasterKey, dataDir: string): Promise<MasterKeyCheckOutcome> {
  const kcv = masterKeyCheckValue(masterKey);
  const stored = await storedCheckValue(pool);
  let outcome: MasterKeyCheckOutcome = 'matched';
  if (!stored) {
    const sealed = await newestSealedVersion(pool);
    if (sealed && !opens(masterKey, sealed)) throw new MasterKeyCheckError(masterKey.source, dataDir);
    outcome = sealed ? 'adopted' : 'stored';
    await pool.query(
      `insert into vault_master_key_check (id, scheme, check_value) values (true, $1, $2) on conflict (id) do nothing`,
      [KEY_CHECK_SCHEME, kcv],
    );
  }
  // Compare with what is stored now: a concurrent first boot with another key may have won the insert.
  const now = await storedCheckValue(pool);
  if (!now || now.length !== kcv.length || !timingSafeEqual(now, kcv)) throw new MasterKeyCheckError(masterKey.source, dataDir);
  return outcome;
}

async function storedCheckValue(pool: pg.Pool): Promise<Buffer | undefined> {
  const res = await pool.query<{ check_value: Buffer }>('select check_value from vault_master_key_check where id');
  return res.rows[0]?.check_value;
}

interface SealedVersion {
  readonly version_id: string;
  readonly wrapped_material: Buffer;
}

async function newestSealedVersion(pool: pg.Pool): Promise<SealedVersion | undefined> {
  const res = await pool.query<SealedVersion>(
    'select version_id, wrapped_material from vault_key_versions where wrapped_material is not null order by seq desc limit 1',
  );
  return res.rows[0];
}

/** AES-GCM authenticates: only the master key that sealed the material opens it. */
function opens(masterKey: MasterKey, version: SealedVersion): boolean {
  try {
    masterKey.derive(MATERIAL_PURPOSE).open(version.wrapped_material, materialContext(version.version_id)).fill(0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The fence of every write sealed under the master key (a key version's material, a platform asset),
 * run inside the writer's transaction: locks the stored check value FOR SHARE (so a master key rotation,
 * which updates it, waits for the write, and the write for the rotation) and refuses when the database
 * is bound to another key. An engine still running with a master key that was rotated away must seal
 * nothing more under it. No check value stored (no engine booted on the database yet): the write goes on.
 * @throws MasterKeySupersededError
 */
export async function requireBoundTo(client: pg.ClientBase, checkValue: Buffer): Promise<void> {
  const res = await client.query<{ check_value: Buffer }>(`select check_value from ${MASTER_KEY_FENCE} where id for share`);
  requireStoredCheckValue(res.rows[0]?.check_value ?? null, checkValue);
}

/** The table of requireBoundTo's fence. */
const MASTER_KEY_FENCE = 'vault_master_key_check';

/**
 * requireBoundTo's fence for a write that is one statement (no transaction of its own): a CTE named
 * `master_key_fence` locking the stored check value FOR SHARE until the statement commits. The write
 * must select its rows `where ${masterKeyFenceHolds('$n')}` ($n: the check value), and the statement
 * return `(select check_value from master_key_fence)` for requireStoredCheckValue, which says why
 * nothing was written.
 */
export const MASTER_KEY_FENCE_CTE = `master_key_fence as (select check_value from ${MASTER_KEY_FENCE} where id for share)`;

/** The condition under which a write fenced by MASTER_KEY_FENCE_CTE goes on: no check value stored, or `param`'s. */
export const masterKeyFenceHolds = (param: string) => `not exists (select 1 from master_key_fence where check_value <> ${param})`;

/**
 * The fence's verdict on the check value it read (null: none stored, the write goes on).
 * @throws MasterKeySupersededError when the database is bound to another master key
 */
export function requireStoredCheckValue(stored: Buffer | null, checkValue: Buffer): void {
  if (stored !== null && (stored.length !== checkValue.length || !timingSafeEqual(stored, checkValue))) throw new MasterKeySupersededError();
}
