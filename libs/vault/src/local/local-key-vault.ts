// The `local` KeyVault: AES-256 key versions in PostgreSQL, each version's 32 random bytes sealed by a
// sub-key of the master key (HKDF purpose MATERIAL_PURPOSE, context = the version id), so neither the
// material nor the master key is ever readable from the database alone.
//
// - Ids: keys `vk-<uuid v4>`, versions `vkv-<uuid v4>`. Version ids are globally unique.
// - wrap/unwrap: AES-256-GCM with the version's material, random IV, SecretKey's self-describing
//   format; the version id is authenticated, so a blob wrapped by one version never unwraps with another.
// - destroy: in one statement the state becomes 'destroyed' and wrapped_material null, so the version
//   can never wrap or unwrap again; unusableAt = purgedAt = clock.now() (local purges at once).
//   Unknown version → { outcome: 'unknown', nulls }; already destroyed → the first call's instants.
// - disable/enable: the state moves between 'enabled' and 'disabled' (disabled_at set, then cleared);
//   a destroyed version stays destroyed (the guard trigger refuses any change to it).
// - destroyKey: in one transaction, tombstones the key and destroys every version. The tombstone row is
//   kept for ever (a trigger refuses to delete or clear it): createKey for that tenant then throws
//   KeyTombstonedError, and createVersion refuses too.
// - createKey for a tenant with an active key returns the key and its newest version (whatever its state).
// Row locks on the key serialise createVersion with destroyKey, so no version is born after a tombstone.
// - Every new version is fenced by the master key's check value (requireBoundTo): once the database is
//   bound to a newer master key (`lethe master-key rotate`), a vault still holding the old one refuses
//   to seal anything (MasterKeySupersededError) instead of mixing keys in the table.
//
// Deletion windows (test and simulation only; LocalVaultOptions): a local vault can stand for a remote
// one that takes time. With `unusableAfterDays` a destroyed version stays usable that long (its
// unusableAt lies ahead); with `purgeAfterDays` its material is kept, sealed, that much longer and
// purged by the vault's own purger, which runs whenever the vault next touches the key (as a cloud
// vault purges on its own schedule), recording the instant it erased it. Both 0 (the default): a
// destroy makes the version unusable and erases its material at once.
import { randomBytes, randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import type pg from 'pg';
import type { Clock } from '@lethe/clock';
import { inTransaction } from '@lethe/postgres';
import {
  DecryptionFailedError,
  KeyTombstonedError,
  KeyVaultError,
  KeyVersionDestroyedError,
  KeyVersionDisabledError,
  UnknownKeyError,
  UnknownKeyVersionError,
  UnwrapFailedError,
} from '../errors.js';
import type {
  DeletionWindow,
  CreatedKey,
  CreatedKeyVersion,
  DestroyResult,
  DestroyedKeyVersion,
  KeyVault,
  KeyVaultCapabilities,
  KeyVersionInfo,
  KeyVersionState,
} from '../key-vault.js';
import { KEY_BYTES, SecretKey, type MasterKey } from '../secret-key.js';
import { MATERIAL_PURPOSE, materialContext } from './material.js';
import { masterKeyCheckValue, requireBoundTo } from './master-key-check.js';

export { MATERIAL_PURPOSE, materialContext };
/** Real time (ms) a listVersions, wrap or unwrap call waits for others to be read with it. */
const GATHER_MS = 2;
/** Authenticated context of a blob wrapped by a version. */
const wrapContext = (versionId: string) => `lethe/vault/local/wrap:${versionId}`;

/** The master key does not open a version's stored material: wrong LETHE_MASTER_KEY, or a tampered row. */
export class MasterKeyMismatchError extends KeyVaultError {
  readonly code = 'MASTER_KEY_MISMATCH';
  constructor(readonly versionId: string) {
    super(`the master key cannot open the material of key version ${versionId} (wrong master key or altered row)`);
    this.name = 'MasterKeyMismatchError';
  }
}

interface VersionRow {
  version_id: string;
  state: KeyVersionState;
  wrapped_material: Buffer | null;
  created_at: Date;
  disabled_at: Date | null;
  unusable_at: Date | null;
  purged_at: Date | null;
  purge_due_at: Date | null;
}

/** The engine settings of the local vault's deletion windows (test-only; see LocalVaultOptions). */
export const LOCAL_UNUSABLE_AFTER_SETTING = 'LETHE_LOCAL_VAULT_UNUSABLE_AFTER_DAYS';
export const LOCAL_PURGE_AFTER_SETTING = 'LETHE_LOCAL_VAULT_PURGE_AFTER_DAYS';

export interface LocalVaultOptions {
  /** Days a destroyed version stays usable (a vault slow to delete). Default 0. Tests and simulations only. */
  readonly unusableAfterDays?: number;
  /** Days from unusable until the material is purged (a soft-deleting vault). Default 0. Tests and simulations only. */
  readonly purgeAfterDays?: number;
}

const DAY_MS = 86_400_000;

function requireId(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
}

/** The local vault's capabilities for the given deletion windows (days). */
export function localCapabilities(unusableAfterDays = 0, purgeAfterDays = 0): KeyVaultCapabilities {
  const delayed = unusableAfterDays > 0 || purgeAfterDays > 0;
  const deletionWindow: DeletionWindow = {
    minDaysToUnusable: unusableAfterDays,
    minDaysToPurged: unusableAfterDays + purgeAfterDays,
    settings: delayed ? [LOCAL_UNUSABLE_AFTER_SETTING, LOCAL_PURGE_AFTER_SETTING] : ['LETHE_VAULT'],
  };
  return Object.freeze({ kind: 'local', softDeleteOnly: delayed, minPurgeDelayDays: purgeAfterDays, deletionWindow: Object.freeze(deletionWindow) });
}

function nonNegativeDays(name: string, value: number | undefined): number {
  const days = value ?? 0;
  if (!Number.isFinite(days) || days < 0) throw new TypeError(`${name} must be a number of days >= 0`);
  return days;
}

export class LocalKeyVault implements KeyVault {
  readonly capabilities: KeyVaultCapabilities;
  readonly #materialKey: SecretKey;
  /** The master key's check value: every new version is fenced by it (requireBoundTo). */
  readonly #checkValue: Buffer;
  private readonly unusableAfterMs: number;
  private readonly purgeAfterMs: number;

  /** listVersions calls of a few milliseconds, answered by one statement (never cached). */
  private readonly listings = new DataLoader<string, KeyVersionInfo[]>((keyIds) => this.listMany(keyIds), {
    cache: false,
    batchScheduleFn: (list) => setTimeout(list, GATHER_MS),
  });

  /** Version rows read by wrap and unwrap calls of a few milliseconds, in one statement (never cached: a destroy counts at once). */
  private readonly versions = new DataLoader<string, VersionRow | null>((versionIds) => this.versionRows(versionIds), {
    cache: false,
    batchScheduleFn: (read) => setTimeout(read, GATHER_MS),
  });

  constructor(
    private readonly pool: pg.Pool,
    masterKey: MasterKey,
    private readonly clock: Clock,
    options: LocalVaultOptions = {},
  ) {
    this.#materialKey = masterKey.derive(MATERIAL_PURPOSE);
    this.#checkValue = masterKeyCheckValue(masterKey);
    const unusable = nonNegativeDays('unusableAfterDays', options.unusableAfterDays);
    const purge = nonNegativeDays('purgeAfterDays', options.purgeAfterDays);
    this.capabilities = localCapabilities(unusable, purge);
    this.unusableAfterMs = unusable * DAY_MS;
    this.purgeAfterMs = purge * DAY_MS;
  }

  /** unusable_at, purge_due_at and purged_at of a version destroyed at `now` (purged at once without windows). */
  private destroyInstants(now: Date): { unusableAt: Date; purgeDueAt: Date; purgedAt: Date | null } {
    const unusableAt = new Date(now.getTime() + this.unusableAfterMs);
    const purgeDueAt = new Date(unusableAt.getTime() + this.purgeAfterMs);
    return { unusableAt, purgeDueAt, purgedAt: purgeDueAt.getTime() <= now.getTime() ? now : null };
  }

  /**
   * The vault's own purger: erases the material of destroyed versions whose purge fell due, recording
   * when it did. Runs before any call that reads a key's versions (scoped to that key).
   */
  private async purgeDue(db: Pick<pg.Pool, 'query'>, scope: { keyId: string } | { versionId: string }): Promise<void> {
    if (this.unusableAfterMs === 0 && this.purgeAfterMs === 0) return;
    const column = 'keyId' in scope ? 'key_id' : 'version_id';
    const id = 'keyId' in scope ? scope.keyId : scope.versionId;
    await db.query(
      `update vault_key_versions set wrapped_material = null, purged_at = $2
        where ${column} = $1 and state = 'destroyed' and purged_at is null and purge_due_at <= $2`,
      [id, this.clock.now()],
    );
  }

  async createKey(tenantId: string): Promise<CreatedKey> {
    requireId('tenantId', tenantId);
    return inTransaction(this.pool, async (client) => {
      const now = this.clock.now();
      const keyId = `vk-${randomUUID()}`;
      const inserted = await client.query(
        `insert into vault_keys (key_id, tenant_id, created_at) values ($1, $2, $3)
         on conflict (tenant_id) do nothing returning key_id`,
        [keyId, tenantId, now],
      );
      if (inserted.rowCount === 1) {
        const version = await this.insertVersion(client, keyId, now);
        return { keyId, versionId: version.versionId, createdAt: version.createdAt };
      }
      // The tenant has a key (possibly committed by a concurrent call that we waited for).
      const key = await client.query<{ key_id: string; tombstoned_at: Date | null }>(
        'select key_id, tombstoned_at from vault_keys where tenant_id = $1',
        [tenantId],
      );
      const row = key.rows[0];
      if (row.tombstoned_at) throw new KeyTombstonedError(row.key_id, tenantId);
      const newest = await client.query<{ version_id: string; created_at: Date }>(
        'select version_id, created_at from vault_key_versions where key_id = $1 order by seq desc limit 1',
        [row.key_id],
      );
      return { keyId: row.key_id, versionId: newest.rows[0].version_id, createdAt: newest.rows[0].created_at };
    });
  }

  async createVersion(keyId: string, requestId?: string): Promise<CreatedKeyVersion> {
    requireId('keyId', keyId);
    if (requestId !== undefined) requireId('requestId', requestId);
    return inTransaction(this.pool, async (client) => {
      const key = await client.query<{ tenant_id: string; tombstoned_at: Date | null }>(
        'select tenant_id, tombstoned_at from vault_keys where key_id = $1 for update',
        [keyId],
      );
      if (key.rowCount === 0) throw new UnknownKeyError(keyId);
      if (key.rows[0].tombstoned_at) throw new KeyTombstonedError(keyId, key.rows[0].tenant_id);
      // The key row is locked: two calls of one request cannot both miss the earlier version.
      if (requestId !== undefined) {
        const earlier = await client.query<{ version_id: string; created_at: Date }>(
          'select version_id, created_at from vault_key_versions where key_id = $1 and request_id = $2',
          [keyId, requestId],
        );
        if (earlier.rows[0]) return { versionId: earlier.rows[0].version_id, createdAt: earlier.rows[0].created_at };
      }
      return this.insertVersion(client, keyId, this.clock.now(), requestId);
    });
  }

  async listVersions(keyId: string): Promise<KeyVersionInfo[]> {
    requireId('keyId', keyId);
    await this.purgeDue(this.pool, { keyId });
    return this.listings.load(keyId);
  }

  /**
   * The versions of the keys asked for together, in one statement (the listings DataLoader gathers the
   * calls of a few milliseconds: a fleet's detection timers fire side by side, each listing one key).
   * An unknown key's place holds UnknownKeyError.
   */
  private async listMany(keyIds: readonly string[]): Promise<(KeyVersionInfo[] | UnknownKeyError)[]> {
    const result = await this.pool.query<VersionRow & { id: string; key_exists: boolean }>(
      `select q.id, k.key_id is not null as key_exists, v.version_id, v.state, v.created_at, v.unusable_at, v.purged_at
         from unnest($1::text[]) as q(id)
         left join vault_keys k on k.key_id = q.id
         left join vault_key_versions v on v.key_id = k.key_id
        order by v.seq`,
      [[...new Set(keyIds)]],
    );
    const byKey = new Map<string, KeyVersionInfo[]>();
    for (const r of result.rows) {
      if (!r.key_exists) continue;
      const versions = byKey.get(r.id) ?? [];
      byKey.set(r.id, versions);
      if (r.version_id !== null) versions.push({ versionId: r.version_id, createdAt: r.created_at, state: r.state, unusableAt: r.unusable_at, purgedAt: r.purged_at });
    }
    return keyIds.map((id) => byKey.get(id)?.slice() ?? new UnknownKeyError(id));
  }

  async wrap(versionId: string, plaintext: Buffer): Promise<Buffer> {
    requireId('versionId', versionId);
    if (!Buffer.isBuffer(plaintext)) throw new TypeError('plaintext must be a Buffer');
    const key = await this.usableKey(versionId);
    return key.seal(plaintext, wrapContext(versionId));
  }

  async unwrap(versionId: string, wrapped: Buffer): Promise<Buffer> {
    requireId('versionId', versionId);
    if (!Buffer.isBuffer(wrapped)) throw new TypeError('wrapped must be a Buffer');
    const key = await this.usableKey(versionId);
    try {
      return key.open(wrapped, wrapContext(versionId));
    } catch (error) {
      if (error instanceof DecryptionFailedError) throw new UnwrapFailedError(versionId);
      throw error;
    }
  }

  async disable(versionId: string): Promise<void> {
    requireId('versionId', versionId);
    const result = await this.pool.query(
      `update vault_key_versions set state = 'disabled', disabled_at = $2 where version_id = $1 and state = 'enabled'`,
      [versionId, this.clock.now()],
    );
    if (result.rowCount === 1) return;
    const exists = await this.pool.query('select 1 from vault_key_versions where version_id = $1', [versionId]);
    if (exists.rowCount === 0) throw new UnknownKeyVersionError(versionId);
    // Already disabled, or destroyed (which it stays): nothing to do.
  }

  async enable(versionId: string): Promise<void> {
    requireId('versionId', versionId);
    const result = await this.pool.query(
      `update vault_key_versions set state = 'enabled', disabled_at = null where version_id = $1 and state <> 'destroyed'`,
      [versionId],
    );
    if (result.rowCount === 1) return;
    const row = await this.pool.query<{ unusable_at: Date | null }>('select unusable_at from vault_key_versions where version_id = $1', [versionId]);
    if (row.rowCount === 0) throw new UnknownKeyVersionError(versionId);
    throw new KeyVersionDestroyedError(versionId, row.rows[0].unusable_at);
  }

  async destroy(versionId: string): Promise<DestroyResult> {
    requireId('versionId', versionId);
    await this.purgeDue(this.pool, { versionId });
    const { unusableAt, purgeDueAt, purgedAt } = this.destroyInstants(this.clock.now());
    const updated = await this.pool.query<DestroyedRow>(
      `update vault_key_versions
          set state = 'destroyed', unusable_at = $2, purge_due_at = $3, purged_at = $4,
              wrapped_material = case when $4::timestamptz is null then wrapped_material end
        where version_id = $1 and state <> 'destroyed'
        returning unusable_at, purged_at, purge_due_at`,
      [versionId, unusableAt, purgeDueAt, purgedAt],
    );
    if (updated.rowCount === 1) return { outcome: 'destroyed', ...destroyedInstants(updated.rows[0]) };
    const earlier = await this.pool.query<DestroyedRow>(
      `select unusable_at, purged_at, purge_due_at from vault_key_versions where version_id = $1 and state = 'destroyed'`,
      [versionId],
    );
    if (earlier.rowCount === 0) return { outcome: 'unknown', unusableAt: null, purgedAt: null };
    return { outcome: 'already-destroyed', ...destroyedInstants(earlier.rows[0]) };
  }

  async destroyKey(keyId: string): Promise<DestroyedKeyVersion[]> {
    requireId('keyId', keyId);
    return inTransaction(this.pool, async (client) => {
      const now = this.clock.now();
      const key = await client.query<{ tombstoned_at: Date | null }>(
        'select tombstoned_at from vault_keys where key_id = $1 for update',
        [keyId],
      );
      if (key.rowCount === 0) throw new UnknownKeyError(keyId);
      await this.purgeDue(client, { keyId });
      if (!key.rows[0].tombstoned_at) {
        await client.query('update vault_keys set tombstoned_at = $2 where key_id = $1', [keyId, now]);
      }
      const { unusableAt, purgeDueAt, purgedAt } = this.destroyInstants(now);
      const destroyedNow = await client.query<{ version_id: string }>(
        `update vault_key_versions
            set state = 'destroyed', unusable_at = $2, purge_due_at = $3, purged_at = $4,
                wrapped_material = case when $4::timestamptz is null then wrapped_material end
          where key_id = $1 and state <> 'destroyed'
          returning version_id`,
        [keyId, unusableAt, purgeDueAt, purgedAt],
      );
      const fresh = new Set(destroyedNow.rows.map((r) => r.version_id));
      const all = await client.query<DestroyedRow & { version_id: string }>(
        'select version_id, unusable_at, purged_at, purge_due_at from vault_key_versions where key_id = $1 order by seq',
        [keyId],
      );
      return all.rows.map((r) => ({
        versionId: r.version_id,
        outcome: fresh.has(r.version_id) ? ('destroyed' as const) : ('already-destroyed' as const),
        ...destroyedInstants(r),
      }));
    });
  }

  /** The version's AES key, if the version may be used; the typed error otherwise. */
  /** The rows of the versions asked for together (wraps and unwraps of side-by-side requests), in one statement; null for an unknown one. */
  private async versionRows(versionIds: readonly string[]): Promise<(VersionRow | null)[]> {
    const result = await this.pool.query<VersionRow>(
      'select version_id, state, wrapped_material, disabled_at, unusable_at from vault_key_versions where version_id = any($1::text[])',
      [[...new Set(versionIds)]],
    );
    const byId = new Map(result.rows.map((r) => [r.version_id, r]));
    return versionIds.map((id) => byId.get(id) ?? null);
  }

  private async usableKey(versionId: string): Promise<SecretKey> {
    const row = await this.versions.load(versionId);
    if (row === null) throw new UnknownKeyVersionError(versionId);
    // A destroyed version is unusable from its unusableAt on (at once, unless the vault has an unusable window).
    const unusable = row.state === 'destroyed' && (row.wrapped_material === null || row.unusable_at!.getTime() <= this.clock.now().getTime());
    if (unusable || row.wrapped_material === null) throw new KeyVersionDestroyedError(versionId, row.unusable_at);
    if (row.state === 'disabled' || row.disabled_at !== null) throw new KeyVersionDisabledError(versionId);
    let material: Buffer;
    try {
      material = this.#materialKey.open(row.wrapped_material, materialContext(versionId));
    } catch {
      throw new MasterKeyMismatchError(versionId);
    }
    try {
      return SecretKey.fromBytes(material);
    } finally {
      material.fill(0);
    }
  }

  private async insertVersion(client: pg.PoolClient, keyId: string, now: Date, requestId?: string): Promise<CreatedKeyVersion> {
    await requireBoundTo(client, this.#checkValue);
    const versionId = `vkv-${randomUUID()}`;
    const raw = randomBytes(KEY_BYTES);
    const sealed = this.#materialKey.seal(raw, materialContext(versionId));
    raw.fill(0);
    await client.query(
      `insert into vault_key_versions (version_id, key_id, state, wrapped_material, created_at, request_id) values ($1, $2, 'enabled', $3, $4, $5)`,
      [versionId, keyId, sealed, now, requestId ?? null],
    );
    return { versionId, createdAt: now };
  }
}

interface DestroyedRow {
  unusable_at: Date;
  purged_at: Date | null;
  purge_due_at: Date | null;
}

/** A destroyed version's instants as the port reports them: when not purged yet, when it will be. */
function destroyedInstants(row: DestroyedRow): { unusableAt: Date; purgedAt: Date | null; purgeScheduledAt?: Date | null } {
  if (row.purged_at !== null) return { unusableAt: row.unusable_at, purgedAt: row.purged_at };
  return { unusableAt: row.unusable_at, purgedAt: null, purgeScheduledAt: row.purge_due_at };
}
