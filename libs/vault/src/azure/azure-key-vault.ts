// The `azure-keyvault` KeyVault: a tenant's key is an RSA key in Azure Key Vault (RSA or RSA-HSM,
// 3072 bits by default), its versions are the key's versions (a rotation creates the same name
// again), and a data key is wrapped and unwrapped by the version with RSA-OAEP-256. The material
// never leaves the vault. Lethe's database keeps what Key Vault cannot (azure/migrations.ts).
//
// Why RSA-OAEP-256: it is the one key-wrap algorithm every Key Vault offers (standard and premium
// vaults, and Managed HSM). AES key wrap (A256KW) needs an oct-HSM key, which only Managed HSM has.
// The 32-byte data keys fit with room to spare (at most 318 bytes under a 3072-bit key).
// A wrapped blob is `0xA1 | ciphertext`; OAEP is randomised, so each wrap is fresh.
//
// Deleting, as Key Vault does it:
// - destroyKey deletes the key: every version at once becomes unusable (the delete; unusableAt is
//   Key Vault's deletedOn). Under purge protection the key stays recoverable for the soft-delete
//   retention (7–90 days) and Key Vault purges it at its scheduledPurgeDate: purgedAt stays null,
//   purgeScheduledAt says when; listVersions reports the purge once Key Vault no longer has the
//   deleted key (purgedAt = when Lethe first saw it gone). Without purge protection Lethe purges at
//   once (purgedAt = when Key Vault accepted the purge).
// - destroy(versionId) cannot delete one version: Key Vault has no such operation. The version is
//   disabled in the vault and recorded as destroyed here, for ever: Lethe never wraps or re-enables
//   with it again, and reports it destroyed (unusableAt = then) with purgedAt null until the whole
//   key is deleted and purged at the tenant's shred. Its material stays in the vault, disabled, until
//   then: someone with Key Vault update rights could re-enable it outside Lethe. Lethe's own callers
//   use destroy only to retire a superseded version (P3), never for a shred (P4: destroyKey).
// - The tombstone (vault_azure_keys.deleted_at) outlives the purge, so a tenant never gets a key again
//   (Key Vault itself would let a purged name be created anew).
//
// Every call carries a request timeout (AbortSignal); the SDK retries 429 and 5xx first. Failures are
// mapped by azure-errors.ts.
import type pg from 'pg';
import type { KeyProperties } from '@azure/keyvault-keys';
import type { Clock } from '@lethe/clock';
import { inTransaction } from '@lethe/postgres';
import { KeyTombstonedError, KeyVersionDestroyedError, KeyVersionDisabledError, UnknownKeyError, UnknownKeyVersionError, UnwrapFailedError } from '../errors.js';
import type { CreatedKey, CreatedKeyVersion, DestroyResult, DestroyedKeyVersion, KeyVault, KeyVaultCapabilities, KeyVersionInfo, KeyVersionState } from '../key-vault.js';
import { KeyVaultUnavailableError } from '../vault-unavailable.js';
import type { AzureKeyClient } from './azure-key-client.js';
import { AzureKeyVaultSettingMismatchError, azureFailure, type AzureOperation, type AzureSubject } from './azure-errors.js';
import { DEFAULT_KEY_PREFIX, KEY_PREFIX_PATTERN, keyNameOf, parseVersionId, versionIdOf, type AzureVersionRef } from './key-names.js';

/** The engine settings of this adapter (apps/engine engine-config.ts reads and checks them). */
export const AZURE_KEYVAULT_SETTINGS = {
  url: 'LETHE_AZURE_KEYVAULT_URL',
  retentionDays: 'LETHE_AZURE_KEYVAULT_SOFT_DELETE_RETENTION_DAYS',
  purgeProtection: 'LETHE_AZURE_KEYVAULT_PURGE_PROTECTION',
  keyPrefix: 'LETHE_AZURE_KEYVAULT_KEY_PREFIX',
  keyType: 'LETHE_AZURE_KEYVAULT_KEY_TYPE',
} as const;

export const MIN_SOFT_DELETE_RETENTION_DAYS = 7;
export const MAX_SOFT_DELETE_RETENTION_DAYS = 90;

export interface AzureKeyVaultOptions {
  /** The vault, e.g. https://my-vault.vault.azure.net (named in errors and docs only). */
  readonly vaultUrl: string;
  /** Days Key Vault keeps a deleted key recoverable (the vault's soft-delete retention, 7–90). */
  readonly softDeleteRetentionDays: number;
  /** The vault has purge protection: only Key Vault purges, at the end of the retention. */
  readonly purgeProtection: boolean;
  /** Prefix of every key name (default `lethe-`): vaults shared between installations keep apart. */
  readonly keyPrefix?: string;
  /** 'RSA' (software-protected) or 'RSA-HSM' (HSM-protected; premium vaults and Managed HSM). Default 'RSA'. */
  readonly keyType?: 'RSA' | 'RSA-HSM';
  /** RSA modulus bits, default 3072. */
  readonly keySize?: 2048 | 3072 | 4096;
  /** Per-call request timeout in milliseconds (default 30 s). */
  readonly timeoutMs?: number;
}

const WRAP_FORMAT = 0xa1;
const WRAP_ALGORITHM = 'RSA-OAEP-256';
/** The tag a version carries with the id of the request it was made for (adopted on a retry). */
export const REQUEST_TAG = 'lethe-request';
/** Ciphertext lengths of RSA-OAEP under 2048, 3072 and 4096-bit keys. */
const CIPHERTEXT_BYTES = new Set([256, 384, 512]);

interface KeyRow {
  tenant_id: string;
  key_name: string;
  deleted_at: Date | null;
  purge_scheduled_at: Date | null;
  purged_at: Date | null;
}

interface VersionRow {
  version_id: string;
  created_at: Date;
  destroyed_at: Date | null;
}

/** A key's versions as Key Vault lists them. */
type VaultVersions = Map<string, { readonly createdOn: Date; readonly enabled: boolean; readonly tags: Readonly<Record<string, string>> }>;

function requireId(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
}

/** The capabilities of an Azure Key Vault configured so (ARCHITECTURE §3: unusable at once, purged after the retention). */
export function azureKeyVaultCapabilities(softDeleteRetentionDays: number, purgeProtection: boolean): KeyVaultCapabilities {
  const purgeDays = purgeProtection ? softDeleteRetentionDays : 0;
  return Object.freeze({
    kind: 'azure-keyvault',
    softDeleteOnly: purgeProtection,
    minPurgeDelayDays: purgeDays,
    deletionWindow: Object.freeze({
      minDaysToUnusable: 0,
      minDaysToPurged: purgeDays,
      settings: [AZURE_KEYVAULT_SETTINGS.retentionDays, AZURE_KEYVAULT_SETTINGS.purgeProtection],
    }),
  });
}

export class AzureKeyVault implements KeyVault {
  readonly capabilities: KeyVaultCapabilities;
  private readonly prefix: string;
  private readonly keyType: 'RSA' | 'RSA-HSM';
  private readonly keySize: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly client: AzureKeyClient,
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly options: AzureKeyVaultOptions,
  ) {
    const days = options.softDeleteRetentionDays;
    if (!Number.isInteger(days) || days < MIN_SOFT_DELETE_RETENTION_DAYS || days > MAX_SOFT_DELETE_RETENTION_DAYS) {
      throw new TypeError(`softDeleteRetentionDays must be a whole number from ${MIN_SOFT_DELETE_RETENTION_DAYS} to ${MAX_SOFT_DELETE_RETENTION_DAYS}`);
    }
    this.prefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    if (!KEY_PREFIX_PATTERN.test(this.prefix)) throw new TypeError('keyPrefix must be 1-40 lowercase letters, digits or hyphens, starting with a letter or digit');
    this.keyType = options.keyType ?? 'RSA';
    this.keySize = options.keySize ?? 3072;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.capabilities = azureKeyVaultCapabilities(days, options.purgeProtection);
  }

  async createKey(tenantId: string): Promise<CreatedKey> {
    requireId('tenantId', tenantId);
    const name = keyNameOf(this.prefix, tenantId);
    return inTransaction(this.pool, async (db) => {
      await db.query('insert into vault_azure_keys (tenant_id, key_name, created_at) values ($1, $2, $3) on conflict (tenant_id) do nothing', [
        tenantId,
        name,
        this.clock.now(),
      ]);
      // Locked: concurrent first calls wait here and then find the version the first one made.
      const key = (await db.query<KeyRow>('select * from vault_azure_keys where tenant_id = $1 for update', [tenantId])).rows[0];
      if (key.deleted_at) throw new KeyTombstonedError(key.key_name, tenantId);
      const subject: AzureSubject = { kind: 'key', keyId: key.key_name, tenantId };
      let newest = await this.newestVersion(db, key.key_name);
      if (!newest) {
        // A version Key Vault already holds under the name (made before a crash lost our record of it) is adopted.
        const held = await this.vaultVersions(key.key_name, subject);
        if (held && held.size > 0) {
          await this.recordVersions(db, key.key_name, held);
        } else {
          const created = await this.call('create', subject, (abortSignal) =>
            this.client.createRsaKey(key.key_name, { keySize: this.keySize, hsm: this.keyType === 'RSA-HSM', keyOps: ['wrapKey', 'unwrapKey'], abortSignal }),
          );
          this.checkVaultPolicy(created.properties);
          await this.recordVersion(db, key.key_name, created.properties, undefined);
        }
        newest = await this.newestVersion(db, key.key_name);
      }
      return { keyId: key.key_name, versionId: newest!.version_id, createdAt: newest!.created_at };
    });
  }

  async createVersion(keyId: string, requestId?: string): Promise<CreatedKeyVersion> {
    requireId('keyId', keyId);
    if (requestId !== undefined) requireId('requestId', requestId);
    return inTransaction(this.pool, async (db) => {
      const key = await this.lockKey(db, keyId);
      if (!key) throw new UnknownKeyError(keyId);
      if (key.deleted_at) throw new KeyTombstonedError(keyId, key.tenant_id);
      const subject: AzureSubject = { kind: 'key', keyId, tenantId: key.tenant_id };
      if (requestId !== undefined) {
        const earlier = await db.query<VersionRow>('select version_id, created_at from vault_azure_key_versions where key_name = $1 and request_id = $2', [keyId, requestId]);
        if (earlier.rows[0]) return { versionId: earlier.rows[0].version_id, createdAt: earlier.rows[0].created_at };
        // Made in the vault for this request before a crash lost our record: adopt it (its tag says so).
        const held = await this.vaultVersions(keyId, subject);
        const made = [...(held ?? new Map())].find(([, v]) => v.tags[REQUEST_TAG] === requestId);
        if (made) {
          await this.recordVersions(db, keyId, new Map([made]), requestId);
          return { versionId: versionIdOf(keyId, made[0]), createdAt: made[1].createdOn };
        }
      }
      const created = await this.call('create', subject, (abortSignal) =>
        this.client.createRsaKey(keyId, {
          keySize: this.keySize,
          hsm: this.keyType === 'RSA-HSM',
          keyOps: ['wrapKey', 'unwrapKey'],
          ...(requestId !== undefined ? { tags: { [REQUEST_TAG]: requestId } } : {}),
          abortSignal,
        }),
      );
      const recorded = await this.recordVersion(db, keyId, created.properties, requestId);
      return { versionId: recorded.version_id, createdAt: recorded.created_at };
    });
  }

  async listVersions(keyId: string): Promise<KeyVersionInfo[]> {
    requireId('keyId', keyId);
    const found = await this.pool.query<KeyRow>('select * from vault_azure_keys where key_name = $1', [keyId]);
    const key = found.rows[0];
    if (!key) throw new UnknownKeyError(keyId);
    if (key.deleted_at) return this.deletedKeyVersions(key);
    return inTransaction(this.pool, async (db) => {
      const locked = (await this.lockKey(db, keyId))!;
      if (locked.deleted_at) return this.deletedKeyVersions(locked);
      const held = await this.vaultVersions(keyId, { kind: 'key', keyId });
      if (!held) throw new UnknownKeyError(keyId);
      // Versions made outside Lethe (a client rotating its own key) are recorded as they are found.
      await this.recordVersions(db, keyId, held);
      const rows = await this.versionRows(db, keyId);
      return rows.map((r) => {
        const version = parseVersionId(r.version_id)!.version;
        const state: KeyVersionState = r.destroyed_at ? 'destroyed' : held.get(version)?.enabled === false ? 'disabled' : 'enabled';
        return { versionId: r.version_id, createdAt: r.created_at, state, unusableAt: r.destroyed_at, purgedAt: null };
      });
    });
  }

  async wrap(versionId: string, plaintext: Buffer): Promise<Buffer> {
    requireId('versionId', versionId);
    if (!Buffer.isBuffer(plaintext)) throw new TypeError('plaintext must be a Buffer');
    const ref = await this.knownVersion(versionId);
    // Nothing new is ever wrapped under a destroyed version, whatever the vault would do.
    if (ref.destroyedAt) throw new KeyVersionDestroyedError(versionId, ref.destroyedAt);
    try {
      const result = await this.withTimeout((abortSignal) =>
        this.client.getCryptographyClient(ref.keyName, { keyVersion: ref.version }).wrapKey(WRAP_ALGORITHM, plaintext, { abortSignal }),
      );
      return Buffer.concat([Buffer.from([WRAP_FORMAT]), Buffer.from(result.result)]);
    } catch (error) {
      throw await this.refinedRefusal(error, 'wrap', ref, versionId);
    }
  }

  async unwrap(versionId: string, wrapped: Buffer): Promise<Buffer> {
    requireId('versionId', versionId);
    if (!Buffer.isBuffer(wrapped)) throw new TypeError('wrapped must be a Buffer');
    const ref = await this.knownVersion(versionId);
    if (wrapped.length < 2 || wrapped[0] !== WRAP_FORMAT || !CIPHERTEXT_BYTES.has(wrapped.length - 1)) {
      if (ref.destroyedAt) throw new KeyVersionDestroyedError(versionId, ref.destroyedAt);
      throw new UnwrapFailedError(versionId);
    }
    // Asked of the vault even for a version recorded destroyed: its refusal is the evidence the read
    // probe needs (P5), and a vault that still unwraps (a key recovered outside Lethe) must show as readable.
    try {
      const result = await this.withTimeout((abortSignal) =>
        this.client.getCryptographyClient(ref.keyName, { keyVersion: ref.version }).unwrapKey(WRAP_ALGORITHM, wrapped.subarray(1), { abortSignal }),
      );
      return Buffer.from(result.result);
    } catch (error) {
      throw await this.refinedRefusal(error, 'unwrap', ref, versionId);
    }
  }

  async disable(versionId: string): Promise<void> {
    requireId('versionId', versionId);
    const ref = await this.knownVersion(versionId);
    if (ref.destroyedAt) return;
    await this.call('update', { kind: 'version', versionId }, (abortSignal) =>
      this.client.updateKeyProperties(ref.keyName, ref.version, { enabled: false, abortSignal }),
    );
  }

  async enable(versionId: string): Promise<void> {
    requireId('versionId', versionId);
    const ref = await this.knownVersion(versionId);
    // Recorded destroyed here (or its key deleted): Lethe never re-enables it, whatever Key Vault would allow.
    if (ref.destroyedAt) throw new KeyVersionDestroyedError(versionId, ref.destroyedAt);
    await this.call('update', { kind: 'version', versionId }, (abortSignal) =>
      this.client.updateKeyProperties(ref.keyName, ref.version, { enabled: true, abortSignal }),
    );
  }

  async destroy(versionId: string): Promise<DestroyResult> {
    requireId('versionId', versionId);
    const ref = parseVersionId(versionId);
    if (!ref) return { outcome: 'unknown', unusableAt: null, purgedAt: null };
    const outcome = await inTransaction(this.pool, async (db): Promise<DestroyResult | 'purge-check'> => {
      const key = await this.lockKey(db, ref.keyName);
      if (!key) return { outcome: 'unknown', unusableAt: null, purgedAt: null };
      let row = await this.versionRow(db, versionId);
      if (!row && !key.deleted_at) {
        const held = await this.vaultVersions(ref.keyName, { kind: 'version', versionId });
        if (held) await this.recordVersions(db, ref.keyName, held);
        row = await this.versionRow(db, versionId);
      }
      if (!row) return { outcome: 'unknown', unusableAt: null, purgedAt: null };
      if (row.destroyed_at) return key.deleted_at ? 'purge-check' : { outcome: 'already-destroyed', unusableAt: row.destroyed_at, purgedAt: null };
      // Key Vault cannot delete one version: it is disabled there, and destroyed here for good.
      await this.call('update', { kind: 'version', versionId }, (abortSignal) =>
        this.client.updateKeyProperties(ref.keyName, ref.version, { enabled: false, abortSignal }),
      );
      const now = this.clock.now();
      await db.query('update vault_azure_key_versions set destroyed_at = $2 where version_id = $1', [versionId, now]);
      return { outcome: 'destroyed', unusableAt: now, purgedAt: null };
    });
    if (outcome !== 'purge-check') return outcome;
    // Destroyed with its key: its purge is the key's.
    const [key] = (await this.pool.query<KeyRow>('select * from vault_azure_keys where key_name = $1', [ref.keyName])).rows;
    await this.observePurge(key);
    const row = (await this.versionRow(this.pool, versionId))!;
    const after = (await this.pool.query<KeyRow>('select * from vault_azure_keys where key_name = $1', [ref.keyName])).rows[0];
    return { outcome: 'already-destroyed', ...this.deletedInstants(after, row.destroyed_at!) };
  }

  async destroyKey(keyId: string): Promise<DestroyedKeyVersion[]> {
    requireId('keyId', keyId);
    const fresh = await inTransaction(this.pool, async (db) => {
      const key = await this.lockKey(db, keyId);
      if (!key) throw new UnknownKeyError(keyId);
      if (key.deleted_at) return new Set<string>();
      const subject: AzureSubject = { kind: 'key', keyId, tenantId: key.tenant_id };
      // Every version the vault holds is recorded first, so each is reported destroyed.
      const held = await this.vaultVersions(keyId, subject);
      if (held) await this.recordVersions(db, keyId, held);
      const deleted = await this.deleteInVault(keyId, subject);
      const deletedAt = deleted?.deletedOn ?? this.clock.now();
      await db.query('update vault_azure_keys set deleted_at = $2, purge_scheduled_at = $3 where key_name = $1', [keyId, deletedAt, deleted?.scheduledPurgeDate ?? null]);
      const destroyedNow = await db.query<{ version_id: string }>(
        'update vault_azure_key_versions set destroyed_at = $2 where key_name = $1 and destroyed_at is null returning version_id',
        [keyId, deletedAt],
      );
      return new Set(destroyedNow.rows.map((r) => r.version_id));
    });
    const key = (await this.pool.query<KeyRow>('select * from vault_azure_keys where key_name = $1', [keyId])).rows[0];
    if (!this.options.purgeProtection && !key.purged_at) await this.purgeNow(key);
    else await this.observePurge(key);
    const after = (await this.pool.query<KeyRow>('select * from vault_azure_keys where key_name = $1', [keyId])).rows[0];
    const rows = await this.versionRows(this.pool, keyId);
    return rows.map((r) => ({
      versionId: r.version_id,
      outcome: fresh.has(r.version_id) ? ('destroyed' as const) : ('already-destroyed' as const),
      ...this.deletedInstants(after, r.destroyed_at!),
    }));
  }

  // ---- the deleted key ------------------------------------------------------------------------------

  /** The versions of a deleted key: destroyed, purged once Key Vault no longer holds the deleted key. */
  private async deletedKeyVersions(key: KeyRow): Promise<KeyVersionInfo[]> {
    const recovered = await this.observePurge(key);
    const after = (await this.pool.query<KeyRow>('select * from vault_azure_keys where key_name = $1', [key.key_name])).rows[0];
    const rows = await this.versionRows(this.pool, key.key_name);
    return rows.map((r) => {
      const version = parseVersionId(r.version_id)!.version;
      // Recovered outside Lethe: say what the vault says, so the purge check raises the alarm.
      const live = recovered?.get(version);
      const state: KeyVersionState = live ? (live.enabled ? 'enabled' : 'disabled') : 'destroyed';
      return { versionId: r.version_id, createdAt: r.created_at, state, unusableAt: r.destroyed_at, purgedAt: live ? null : after.purged_at };
    });
  }

  /**
   * While a deleted key is not known to be purged: asks Key Vault for the deleted key. Gone from the
   * deleted keys and not live again: purged (recorded now, when Lethe first saw it; Key Vault does not
   * say when it purged). Live again: recovered outside Lethe (its versions are returned).
   */
  private async observePurge(key: KeyRow): Promise<VaultVersions | undefined> {
    if (key.purged_at || !key.deleted_at) return undefined;
    const subject: AzureSubject = { kind: 'key', keyId: key.key_name, tenantId: key.tenant_id };
    try {
      const deleted = await this.call('get-deleted', subject, (abortSignal) => this.client.getDeletedKey(key.key_name, { abortSignal }));
      const scheduled = deleted.properties.scheduledPurgeDate;
      if (scheduled && !key.purge_scheduled_at) {
        await this.pool.query('update vault_azure_keys set purge_scheduled_at = $2 where key_name = $1 and purge_scheduled_at is null', [key.key_name, scheduled]);
      }
      return undefined;
    } catch (error) {
      if (!(error instanceof UnknownKeyError)) throw error;
    }
    const live = await this.vaultVersions(key.key_name, subject);
    if (live) return live;
    await this.pool.query('update vault_azure_keys set purged_at = $2 where key_name = $1 and purged_at is null', [key.key_name, this.clock.now()]);
    return undefined;
  }

  /**
   * Purges the deleted key at once (no purge protection); gone already counts as purged. Best effort:
   * the key is deleted (unusable) either way, and a purge the vault refuses (a missing purge
   * permission, an operation in progress, an outage) is left to Key Vault's own purge at the end of
   * the retention, which listVersions then observes.
   */
  private async purgeNow(key: KeyRow): Promise<void> {
    try {
      await this.call('purge', { kind: 'key', keyId: key.key_name, tenantId: key.tenant_id }, (abortSignal) => this.client.purgeDeletedKey(key.key_name, { abortSignal }));
    } catch (error) {
      if (!(error instanceof UnknownKeyError)) return;
    }
    await this.pool.query('update vault_azure_keys set purged_at = $2 where key_name = $1 and purged_at is null', [key.key_name, this.clock.now()]);
  }

  /**
   * Deletes the key in the vault and waits until Key Vault reports it deleted. A key not live (404: it
   * was deleted already) or being deleted (409) is read from the deleted keys instead; neither live
   * nor deleted means purged already (undefined).
   */
  private async deleteInVault(keyId: string, subject: AzureSubject): Promise<DeletedProperties | undefined> {
    let inProgress: boolean;
    try {
      const deleted = await this.withTimeout(async (abortSignal) => {
        const poller = await this.client.beginDeleteKey(keyId, { abortSignal });
        return poller.pollUntilDone({ abortSignal });
      });
      return deleted.properties;
    } catch (error) {
      const status = (error as { statusCode?: unknown } | null)?.statusCode;
      if (status !== 404 && status !== 409) throw azureFailure(error, 'delete', subject);
      inProgress = status === 409;
    }
    try {
      return (await this.call('get-deleted', subject, (abortSignal) => this.client.getDeletedKey(keyId, { abortSignal }))).properties;
    } catch (error) {
      if (!(error instanceof UnknownKeyError)) throw error;
      // Being deleted but not listed as deleted yet: ask again later.
      if (inProgress) throw new KeyVaultUnavailableError('unavailable', `Azure Key Vault is still deleting key ${keyId}; retry later`);
      return undefined;
    }
  }

  private deletedInstants(key: KeyRow, unusableAt: Date): { unusableAt: Date; purgedAt: Date | null; purgeScheduledAt?: Date | null } {
    if (key.purged_at) return { unusableAt, purgedAt: key.purged_at };
    return { unusableAt, purgedAt: null, purgeScheduledAt: key.purge_scheduled_at };
  }

  // ---- helpers ----------------------------------------------------------------------------------------

  /**
   * Checks a new key's recovery settings against what Lethe was told: the retention sets the purge
   * date Lethe promises, purge protection whether Lethe can purge.
   */
  private checkVaultPolicy(properties: KeyProperties): void {
    const days = properties.recoverableDays;
    if (days !== undefined && this.options.purgeProtection && days !== this.options.softDeleteRetentionDays) {
      throw new AzureKeyVaultSettingMismatchError(AZURE_KEYVAULT_SETTINGS.retentionDays, `the vault keeps deleted keys recoverable for ${days} days`);
    }
    const level = properties.recoveryLevel;
    if (level !== undefined && !level.includes('Purgeable') !== this.options.purgeProtection) {
      throw new AzureKeyVaultSettingMismatchError(AZURE_KEYVAULT_SETTINGS.purgeProtection, `the vault's recovery level is ${level}`);
    }
  }

  /** A version id of a key Lethe knows, with whether it was destroyed. UnknownKeyVersionError otherwise. */
  private async knownVersion(versionId: string): Promise<AzureVersionRef & { destroyedAt: Date | null }> {
    const ref = parseVersionId(versionId);
    if (!ref) throw new UnknownKeyVersionError(versionId);
    const found = await this.pool.query<{ deleted_at: Date | null; destroyed_at: Date | null }>(
      `select k.deleted_at, v.destroyed_at from vault_azure_keys k
         left join vault_azure_key_versions v on v.key_name = k.key_name and v.version_id = $2
        where k.key_name = $1`,
      [ref.keyName, versionId],
    );
    if (found.rowCount === 0) throw new UnknownKeyVersionError(versionId);
    const row = found.rows[0];
    return { ...ref, destroyedAt: row.destroyed_at ?? row.deleted_at };
  }

  /**
   * What a refused wrap or unwrap means: a version recorded destroyed is destroyed (404 once its key is
   * deleted, 403 as disabled); a 403 on a version the vault lists as disabled is a disabled version;
   * anything else as azure-errors.ts maps it.
   */
  private async refinedRefusal(error: unknown, operation: 'wrap' | 'unwrap', ref: AzureVersionRef & { destroyedAt: Date | null }, versionId: string): Promise<Error> {
    const status = (error as { statusCode?: unknown } | null)?.statusCode;
    if ((status === 403 || status === 404) && ref.destroyedAt) return new KeyVersionDestroyedError(versionId, ref.destroyedAt);
    if (status === 403) {
      const held = await this.vaultVersions(ref.keyName, { kind: 'version', versionId }).catch(() => undefined);
      if (held?.get(ref.version)?.enabled === false) return new KeyVersionDisabledError(versionId);
    }
    return azureFailure(error, operation, { kind: 'version', versionId });
  }

  /** The key's versions in the vault, or undefined when the vault has no live key of that name. */
  private async vaultVersions(keyName: string, subject: AzureSubject): Promise<VaultVersions | undefined> {
    try {
      return await this.call('list', subject, async (abortSignal) => {
        const versions: VaultVersions = new Map();
        for await (const p of this.client.listPropertiesOfKeyVersions(keyName, { abortSignal })) {
          if (p.version) versions.set(p.version, { createdOn: p.createdOn ?? this.clock.now(), enabled: p.enabled !== false, tags: p.tags ?? {} });
        }
        return versions;
      });
    } catch (error) {
      if (error instanceof UnknownKeyError || error instanceof UnknownKeyVersionError) return undefined;
      throw error;
    }
  }

  /** Records versions not yet known, oldest first (Key Vault's createdOn, then version id, for equal seconds). */
  private async recordVersions(db: Queryable, keyName: string, held: VaultVersions, requestId?: string): Promise<void> {
    const known = new Set((await this.versionRows(db, keyName)).map((r) => r.version_id));
    const missing = [...held].filter(([version]) => !known.has(versionIdOf(keyName, version)));
    missing.sort(([va, a], [vb, b]) => a.createdOn.getTime() - b.createdOn.getTime() || va.localeCompare(vb));
    for (const [version, v] of missing) {
      await db.query(
        'insert into vault_azure_key_versions (version_id, key_name, created_at, request_id) values ($1, $2, $3, $4) on conflict (version_id) do nothing',
        [versionIdOf(keyName, version), keyName, v.createdOn, requestId ?? v.tags[REQUEST_TAG] ?? null],
      );
    }
  }

  private async recordVersion(db: Queryable, keyName: string, properties: KeyProperties, requestId: string | undefined): Promise<VersionRow> {
    const versionId = versionIdOf(keyName, properties.version!);
    const createdAt = properties.createdOn ?? this.clock.now();
    await db.query(
      `insert into vault_azure_key_versions (version_id, key_name, created_at, request_id) values ($1, $2, $3, $4)
       on conflict (version_id) do update set request_id = coalesce(vault_azure_key_versions.request_id, excluded.request_id)`,
      [versionId, keyName, createdAt, requestId ?? null],
    );
    return (await this.versionRow(db, versionId))!;
  }

  private async versionRows(db: Queryable, keyName: string): Promise<VersionRow[]> {
    return (await db.query<VersionRow>('select version_id, created_at, destroyed_at from vault_azure_key_versions where key_name = $1 order by seq', [keyName])).rows;
  }

  private async versionRow(db: Queryable, versionId: string): Promise<VersionRow | undefined> {
    return (await db.query<VersionRow>('select version_id, created_at, destroyed_at from vault_azure_key_versions where version_id = $1', [versionId])).rows[0];
  }

  private async newestVersion(db: Queryable, keyName: string): Promise<VersionRow | undefined> {
    return (await db.query<VersionRow>('select version_id, created_at, destroyed_at from vault_azure_key_versions where key_name = $1 order by seq desc limit 1', [keyName])).rows[0];
  }

  private async lockKey(db: Queryable, keyName: string): Promise<KeyRow | undefined> {
    return (await db.query<KeyRow>('select * from vault_azure_keys where key_name = $1 for update', [keyName])).rows[0];
  }

  /** One SDK call under the request timeout, its failure as the port's error (azure-errors.ts). */
  private async call<T>(operation: AzureOperation, subject: AzureSubject, work: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    try {
      return await this.withTimeout(work);
    } catch (error) {
      throw azureFailure(error, operation, subject);
    }
  }

  private withTimeout<T>(work: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    return work(AbortSignal.timeout(this.timeoutMs));
  }
}

type Queryable = Pick<pg.Pool, 'query'>;

type DeletedProperties = KeyProperties & { readonly deletedOn?: Date; readonly scheduledPurgeDate?: Date };

