// The `pkcs11` KeyVault: key versions are AES-256 key objects on a PKCS#11 token (an HSM, or SoftHSM2),
// generated on the token, never extractable; data keys are encrypted and decrypted by the token.
//
// - Objects: a version is a token object of class CKO_SECRET_KEY, type CKK_AES, 32 bytes, with
//   CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE true and CKA_EXTRACTABLE false (its value never leaves the
//   token), CKA_ENCRYPT/CKA_DECRYPT true (and WRAP/UNWRAP/SIGN/VERIFY/DERIVE false),
//   CKA_LABEL = `lethe:<tenantId>:<versionId>` and CKA_ID = the version id (UTF-8).
// - wrap/unwrap: CKM_AES_GCM by the token, 96-bit random IV, 128-bit tag, and the version id bound as
//   additional authenticated data, so a blob wrapped by one version never unwraps with another (nor with
//   the same key object under another version id). Self-describing format, version 1:
//     byte 0 = 0x11 (pkcs11 AES-256-GCM v1) | bytes 1-12 IV | ciphertext of (0x00 || data key) | 16-byte tag
//   The leading 0x00 keeps the token's input non-empty (tokens refuse an empty C_Encrypt).
// - disable: CKA_ENCRYPT and CKA_DECRYPT set false on the object (C_SetAttributeValue; SoftHSM2
//   allows it, and the token then refuses the key with CKR_KEY_FUNCTION_NOT_PERMITTED), and the state
//   recorded; a token that refuses the change still has the recorded state, which every call checks.
// - enable: the mirror of disable: CKA_ENCRYPT and CKA_DECRYPT set true again, then the state
//   recorded enabled. A destroyed version has no object left: KeyVersionDestroyedError.
// - destroy: C_DestroyObject. Unusable and purged at the same instant (clock.now()), as a token has
//   no soft delete. The object goes first, then the record: a crash between them leaves a version
//   whose object is gone (KeyObjectMissingError on use), recorded as destroyed by the retry.
// - What a token cannot hold lives in PostgreSQL (migrations.ts): the tenant → key map, the versions'
//   order and instants, the request id of each version (createVersion's idempotency), the state and
//   instants of destroyed versions, and the tombstone of a shredded tenant (KeyTombstonedError for
//   ever). Row locks on the key serialise createVersion, adoption and destroyKey, as in the local vault.
// - Versions created outside Lethe (pkcs11-tool, softhsm2-util, a client's own tooling): any AES key
//   object labelled `lethe:<tenantId>:…` that is not recorded is adopted by listVersions (createdAt =
//   when first seen; enabled unless its CKA_ENCRYPT/CKA_DECRYPT are false), so key detection reports
//   it. Its version id is the label's suffix when that is a Lethe version id equal to its CKA_ID (a
//   version whose record was lost), else `vkv-` + a UUID-shaped digest of its label and CKA_ID.
//   The token has no prefix search: listVersions lists the token's objects (a listing shared for
//   `scanCacheMs`, so a fleet's detection pass lists the token about once in that time), and adoption
//   lists again before taking the key's lock. A listing reads attributes synchronously (the binding
//   has no asynchronous call for it), so it yields to the event loop every 64 objects; it also
//   indexes the objects' handles, so a version's first use after a restart needs no search.
// - destroyKey: tombstones the key (adopting unrecorded objects first, so they are reported), destroys
//   every version, then destroys any object still labelled for the tenant (whatever its class): the
//   token holds nothing of the tenant afterwards.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Clock } from '@lethe/clock';
import { inTransaction } from '@lethe/postgres';
import {
  KeyTombstonedError,
  KeyVersionDestroyedError,
  KeyVersionDisabledError,
  UnknownKeyError,
  UnknownKeyVersionError,
  UnwrapFailedError,
} from '../errors.js';
import type {
  CreatedKey,
  CreatedKeyVersion,
  DestroyResult,
  DestroyedKeyVersion,
  KeyVault,
  KeyVaultCapabilities,
  KeyVersionInfo,
  KeyVersionState,
} from '../key-vault.js';
import { KEY_BYTES } from '../secret-key.js';
import { loadPkcs11Binding, type Pkcs11Binding, type Pkcs11Handle, type Pkcs11Module } from './pkcs11-binding.js';
import { KeyObjectMissingError } from './pkcs11-errors.js';
import { Pkcs11Token, returnCodeOf, type Pkcs11TokenSettings } from './pkcs11-token.js';

/** Every object label of Lethe starts so; a tenant's with `lethe:<tenantId>:`. */
export const LABEL_PREFIX = 'lethe:';
export const objectLabel = (tenantId: string, versionId: string) => `${LABEL_PREFIX}${tenantId}:${versionId}`;
export const tenantLabelPrefix = (tenantId: string) => `${LABEL_PREFIX}${tenantId}:`;

const FORMAT_V1 = 0x11;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Format byte, IV, the 0x00 marker and the tag: the shortest blob wrap makes (an empty data key). */
const MIN_WRAPPED = 1 + IV_BYTES + 1 + TAG_BYTES;
const wrapAad = (versionId: string) => Buffer.from(`lethe/vault/pkcs11/wrap:v1:${versionId}`, 'utf8');
const LETHE_VERSION_ID = /^vkv-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Return codes of a decryption whose input is not this key's output (SoftHSM2 says GENERAL_ERROR for a bad tag). */
const UNWRAP_FAILURES = new Set(['CKR_ENCRYPTED_DATA_INVALID', 'CKR_ENCRYPTED_DATA_LEN_RANGE', 'CKR_DATA_INVALID', 'CKR_DATA_LEN_RANGE', 'CKR_GENERAL_ERROR']);
/** Return codes of a key object the token will not use for encryption or decryption: disabled. */
const NOT_PERMITTED = new Set(['CKR_KEY_FUNCTION_NOT_PERMITTED']);
/** Return codes of an object handle that no longer names an object. */
const STALE_HANDLE = new Set(['CKR_OBJECT_HANDLE_INVALID', 'CKR_KEY_HANDLE_INVALID']);

export interface Pkcs11KeyVaultOptions {
  readonly pool: pg.Pool;
  readonly clock: Clock;
  readonly token: Pkcs11TokenSettings;
  /**
   * How long one listing of the token's objects serves listVersions (ms; wall time). Default 300 000:
   * key detection, which asks for every tenant in turn, lists the token about once in 5 minutes, not
   * once per tenant (SoftHSM2 reads about 2,000 objects a second). 0 lists it on every call. An object
   * created outside Lethe is detected at most this much later.
   */
  readonly scanCacheMs?: number;
  /** The binding to use; default: pkcs11js, imported on first use (Pkcs11BindingMissingError without it). */
  readonly binding?: Pkcs11Binding;
}

/** An object on the token whose label starts with LABEL_PREFIX. */
export interface TokenObject {
  readonly handle: Pkcs11Handle;
  readonly label: string;
  readonly objectClass: number;
  /** CKA_ID (secret keys); empty when the object has none. */
  readonly id: Buffer;
  /** True for an AES secret key: a candidate version. */
  readonly aesKey: boolean;
  /** CKA_ENCRYPT and CKA_DECRYPT both true (AES keys). */
  readonly usable: boolean;
}

interface VersionRow {
  version_id: string;
  key_id: string;
  tenant_id: string;
  object_label: string;
  object_id: Buffer;
  state: KeyVersionState;
  created_at: Date;
  unusable_at: Date | null;
  purged_at: Date | null;
}

/** Objects read per slice of a listing before the event loop gets a turn. */
const SCAN_SLICE = 64;
const objectKey = (label: string, id: Buffer) => `${label}\0${id.toString('hex')}`;

/** A CK_ULONG attribute value, in the host's byte order (little-endian on x86 and arm64 Linux). */
const ulong = (value: Buffer) => (value.length >= 8 ? Number(value.readBigUInt64LE(0)) : value.readUInt32LE(0));

function requireId(name: string, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string`);
}

/** A version id for an object created outside Lethe: stable for its label and CKA_ID, UUID-shaped. */
export function detectedVersionId(label: string, id: Buffer): string {
  const suffix = label.slice(label.indexOf(':', LABEL_PREFIX.length) + 1);
  if (LETHE_VERSION_ID.test(suffix) && id.equals(Buffer.from(suffix, 'utf8'))) return suffix;
  const h = createHash('sha256').update(label, 'utf8').update(Buffer.from([0])).update(id).digest('hex');
  return `vkv-${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class Pkcs11KeyVault implements KeyVault {
  /** destroy deletes the token's key object: unusable and purged at once (deletion windows 0). */
  readonly capabilities: KeyVaultCapabilities = Object.freeze({
    kind: 'pkcs11',
    softDeleteOnly: false,
    minPurgeDelayDays: 0,
    deletionWindow: Object.freeze({ minDaysToUnusable: 0, minDaysToPurged: 0, settings: ['LETHE_VAULT'] }),
  });
  /** Object handles by version id; each use checks the handle still names the version's object. */
  readonly #handles = new Map<string, Pkcs11Handle>();
  #scan: { at: number; objects: Promise<TokenObject[]> } | undefined;
  /** Handles by object (label and CKA_ID) from the latest full listing: finding one by template lists the token. */
  #listed = new Map<string, Pkcs11Handle[]>();
  /** pkcs11js's GCM parameter layout that the token accepted (v3.0 first, then v2.40). */
  #gcmParams: string = 'CK_PARAMS_AES_GCM';
  private readonly scanCacheMs: number;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    readonly token: Pkcs11Token,
    scanCacheMs: number,
  ) {
    this.scanCacheMs = scanCacheMs;
  }

  /**
   * Loads the binding, opens the token and logs in. Pkcs11BindingMissingError without the binding;
   * Pkcs11SettingError naming the setting at fault (library, token label, PIN).
   */
  static async open(options: Pkcs11KeyVaultOptions): Promise<Pkcs11KeyVault> {
    const binding = options.binding ?? (await loadPkcs11Binding());
    const token = await Pkcs11Token.open(binding, options.token);
    const scanCacheMs = options.scanCacheMs ?? 300_000;
    if (!(scanCacheMs >= 0)) throw new RangeError('scanCacheMs must be >= 0');
    return new Pkcs11KeyVault(options.pool, options.clock, token, scanCacheMs);
  }

  /**
   * Whether the token holds the key objects this database's vault recorded: the `sample` newest
   * versions that are not destroyed are looked for in a listing of the token (which also indexes the
   * handles for their first use). All missing means another token (or a token restored without them):
   * the engine refuses to start rather than fail every call.
   */
  async checkToken(sample = 3): Promise<{ readonly checked: string[]; readonly missing: string[] }> {
    const rows = await this.pool.query<VersionRow>(
      `select version_id, object_label, object_id from vault_pkcs11_versions where state <> 'destroyed' order by seq desc limit $1`,
      [sample],
    );
    if (rows.rowCount === 0) return { checked: [], missing: [] };
    const present = new Set((await this.scanToken()).map((o) => objectKey(o.label, o.id)));
    return {
      checked: rows.rows.map((r) => r.version_id),
      missing: rows.rows.filter((r) => !present.has(objectKey(r.object_label, r.object_id))).map((r) => r.version_id),
    };
  }

  /** Closes the token's sessions (the library is finalised with its last user). */
  close(): Promise<void> {
    return this.token.close();
  }

  async createKey(tenantId: string): Promise<CreatedKey> {
    requireId('tenantId', tenantId);
    if (tenantId.includes(':')) throw new TypeError('tenantId must not contain ":" (it separates the parts of an object label)');
    return this.inTransaction(async (client, onRollback) => {
      const now = this.clock.now();
      const keyId = `vk-${randomUUID()}`;
      const inserted = await client.query(
        `insert into vault_pkcs11_keys (key_id, tenant_id, created_at) values ($1, $2, $3)
         on conflict (tenant_id) do nothing returning key_id`,
        [keyId, tenantId, now],
      );
      if (inserted.rowCount === 1) {
        const version = await this.generateVersion(client, onRollback, keyId, tenantId, now);
        return { keyId, versionId: version.versionId, createdAt: version.createdAt };
      }
      // The tenant has a key (possibly committed by a concurrent call that we waited for).
      const key = await client.query<{ key_id: string; tombstoned_at: Date | null }>('select key_id, tombstoned_at from vault_pkcs11_keys where tenant_id = $1', [tenantId]);
      const row = key.rows[0];
      if (row.tombstoned_at) throw new KeyTombstonedError(row.key_id, tenantId);
      const newest = await client.query<{ version_id: string; created_at: Date }>(
        'select version_id, created_at from vault_pkcs11_versions where key_id = $1 order by seq desc limit 1',
        [row.key_id],
      );
      return { keyId: row.key_id, versionId: newest.rows[0].version_id, createdAt: newest.rows[0].created_at };
    });
  }

  async createVersion(keyId: string, requestId?: string): Promise<CreatedKeyVersion> {
    requireId('keyId', keyId);
    if (requestId !== undefined) requireId('requestId', requestId);
    return this.inTransaction(async (client, onRollback) => {
      const key = await this.lockKey(client, keyId);
      if (key.tombstoned_at) throw new KeyTombstonedError(keyId, key.tenant_id);
      if (requestId !== undefined) {
        const earlier = await client.query<{ version_id: string; created_at: Date }>(
          'select version_id, created_at from vault_pkcs11_versions where key_id = $1 and request_id = $2',
          [keyId, requestId],
        );
        if (earlier.rows[0]) return { versionId: earlier.rows[0].version_id, createdAt: earlier.rows[0].created_at };
      }
      return this.generateVersion(client, onRollback, keyId, key.tenant_id, this.clock.now(), requestId);
    });
  }

  async listVersions(keyId: string): Promise<KeyVersionInfo[]> {
    requireId('keyId', keyId);
    const key = await this.pool.query<{ tenant_id: string; tombstoned_at: Date | null }>('select tenant_id, tombstoned_at from vault_pkcs11_keys where key_id = $1', [keyId]);
    if (key.rowCount === 0) throw new UnknownKeyError(keyId);
    if (!key.rows[0].tombstoned_at) await this.adoptUnrecorded(keyId, key.rows[0].tenant_id);
    const rows = await this.pool.query<VersionRow>(
      'select version_id, state, created_at, unusable_at, purged_at from vault_pkcs11_versions where key_id = $1 order by seq',
      [keyId],
    );
    return rows.rows.map((r) => ({ versionId: r.version_id, createdAt: r.created_at, state: r.state, unusableAt: r.unusable_at, purgedAt: r.purged_at }));
  }

  async wrap(versionId: string, plaintext: Buffer): Promise<Buffer> {
    requireId('versionId', versionId);
    if (!Buffer.isBuffer(plaintext)) throw new TypeError('plaintext must be a Buffer');
    const row = await this.usableVersion(versionId);
    const iv = randomBytes(IV_BYTES);
    const input = Buffer.concat([Buffer.from([0x00]), plaintext]);
    try {
      const sealed = await this.token.withSession(async (session, module) => {
        const handle = await this.handleOf(session, module, row);
        this.cryptInit(module, 'C_EncryptInit', session, iv, wrapAad(versionId), handle, row);
        return module.C_EncryptAsync(session, input, Buffer.alloc(input.length + TAG_BYTES));
      });
      return Buffer.concat([Buffer.from([FORMAT_V1]), iv, sealed]);
    } finally {
      input.fill(0);
    }
  }

  async unwrap(versionId: string, wrapped: Buffer): Promise<Buffer> {
    requireId('versionId', versionId);
    if (!Buffer.isBuffer(wrapped)) throw new TypeError('wrapped must be a Buffer');
    const row = await this.usableVersion(versionId);
    if (wrapped.length < MIN_WRAPPED || wrapped[0] !== FORMAT_V1) throw new UnwrapFailedError(versionId);
    const iv = wrapped.subarray(1, 1 + IV_BYTES);
    const sealed = wrapped.subarray(1 + IV_BYTES);
    const opened = await this.token.withSession(async (session, module) => {
      const handle = await this.handleOf(session, module, row);
      this.cryptInit(module, 'C_DecryptInit', session, Buffer.from(iv), wrapAad(versionId), handle, row);
      try {
        return await module.C_DecryptAsync(session, sealed, Buffer.alloc(sealed.length));
      } catch (error) {
        if (UNWRAP_FAILURES.has(returnCodeOf(error) ?? '')) throw new UnwrapFailedError(versionId);
        throw error;
      }
    });
    try {
      if (opened.length < 1 || opened[0] !== 0x00) throw new UnwrapFailedError(versionId);
      return Buffer.from(opened.subarray(1));
    } finally {
      opened.fill(0);
    }
  }

  async disable(versionId: string): Promise<void> {
    requireId('versionId', versionId);
    const row = await this.versionRow(this.pool, versionId);
    if (!row) throw new UnknownKeyVersionError(versionId);
    if (row.state === 'destroyed') return;
    // The token first: once recorded disabled, nothing would set the attributes again.
    await this.token.withSession(async (session, module) => {
      for (const handle of this.objectHandles(session, module, row)) {
        try {
          module.C_SetAttributeValue(session, handle, this.token.template([['CKA_ENCRYPT', false], ['CKA_DECRYPT', false]]));
        } catch (error) {
          // A token that will not change the attributes: the recorded state still refuses every call.
          if (!['CKR_ATTRIBUTE_READ_ONLY', 'CKR_ACTION_PROHIBITED'].includes(returnCodeOf(error) ?? '')) throw error;
        }
      }
    });
    await this.pool.query(`update vault_pkcs11_versions set state = 'disabled', disabled_at = $2 where version_id = $1 and state = 'enabled'`, [versionId, this.clock.now()]);
  }

  async enable(versionId: string): Promise<void> {
    requireId('versionId', versionId);
    const row = await this.versionRow(this.pool, versionId);
    if (!row) throw new UnknownKeyVersionError(versionId);
    if (row.state === 'destroyed') throw new KeyVersionDestroyedError(versionId, row.unusable_at);
    // The token first: recorded enabled with the attributes still false, every use would fail.
    await this.token.withSession(async (session, module) => {
      for (const handle of this.objectHandles(session, module, row)) {
        module.C_SetAttributeValue(session, handle, this.token.template([['CKA_ENCRYPT', true], ['CKA_DECRYPT', true]]));
      }
    });
    await this.pool.query(`update vault_pkcs11_versions set state = 'enabled', disabled_at = null where version_id = $1 and state = 'disabled'`, [versionId]);
  }

  async destroy(versionId: string): Promise<DestroyResult> {
    requireId('versionId', versionId);
    const result = await this.inTransaction((client) => this.destroyLocked(client, versionId, true));
    this.#handles.delete(versionId);
    return result;
  }

  async destroyKey(keyId: string): Promise<DestroyedKeyVersion[]> {
    requireId('keyId', keyId);
    // 1. Tombstone (after adopting what the token holds unrecorded, so it is reported): from then on
    //    no version is created, as createVersion and adoption take the same lock. The token is listed
    //    before the lock: a version being created meanwhile is recorded by the time the lock is ours.
    const listed = await this.scanToken();
    const tenantId = await this.inTransaction(async (client) => {
      const key = await this.lockKey(client, keyId);
      if (!key.tombstoned_at) {
        await this.adoptLocked(client, keyId, key.tenant_id, listed);
        await client.query('update vault_pkcs11_keys set tombstoned_at = $2 where key_id = $1', [keyId, this.clock.now()]);
      }
      return key.tenant_id;
    });
    // 2. Every version, each destroyed on the token then recorded.
    const fresh = new Set<string>();
    const ids = await this.pool.query<{ version_id: string }>(`select version_id from vault_pkcs11_versions where key_id = $1 and state <> 'destroyed' order by seq`, [keyId]);
    for (const { version_id: versionId } of ids.rows) {
      // The listing of step 1 finds its objects; step 3 lists the token again for anything else.
      const result = await this.inTransaction((client) => this.destroyLocked(client, versionId, false));
      this.#handles.delete(versionId);
      if (result.outcome === 'destroyed') fresh.add(versionId);
    }
    // 3. Anything still labelled for the tenant (an object created meanwhile, or not an AES key).
    const prefix = tenantLabelPrefix(tenantId);
    const leftovers = (await this.scanToken()).filter((o) => o.label.startsWith(prefix));
    if (leftovers.length > 0) {
      await this.token.withSession((session, module) => {
        for (const o of leftovers) this.destroyObject(session, module, o.handle);
      });
    }
    const all = await this.pool.query<{ version_id: string; unusable_at: Date; purged_at: Date }>(
      'select version_id, unusable_at, purged_at from vault_pkcs11_versions where key_id = $1 order by seq',
      [keyId],
    );
    return all.rows.map((r) => ({
      versionId: r.version_id,
      outcome: fresh.has(r.version_id) ? ('destroyed' as const) : ('already-destroyed' as const),
      unusableAt: r.unusable_at,
      purgedAt: r.purged_at,
    }));
  }

  /**
   * Every object on the token whose label starts with `lethe:` (a fresh listing). For the adapter, and
   * for checks that a tenant left nothing on the token.
   */
  scanToken(): Promise<TokenObject[]> {
    return this.token.withSession(async (session, module) => {
      module.C_FindObjectsInit(session, []);
      const handles: Pkcs11Handle[] = [];
      try {
        for (let batch = module.C_FindObjects(session, 256); batch.length > 0; batch = module.C_FindObjects(session, 256)) handles.push(...batch);
      } finally {
        module.C_FindObjectsFinal(session);
      }
      const objects: TokenObject[] = [];
      const secretKey = this.token.c('CKO_SECRET_KEY');
      const aes = this.token.c('CKK_AES');
      for (const [index, handle] of handles.entries()) {
        // The binding reads attributes synchronously: let the event loop breathe on a large token.
        if (index % SCAN_SLICE === SCAN_SLICE - 1) await new Promise((resolve) => setImmediate(resolve));
        const [cls, label] = this.attributes(session, module, handle, ['CKA_CLASS', 'CKA_LABEL']);
        if (!label || !cls) continue;
        const text = label.toString('utf8');
        if (!text.startsWith(LABEL_PREFIX)) continue;
        const objectClass = ulong(cls);
        let id: Buffer = Buffer.alloc(0);
        let aesKey = false;
        let usable = false;
        if (objectClass === secretKey) {
          const [keyType, cka_id, encrypt, decrypt] = this.attributes(session, module, handle, ['CKA_KEY_TYPE', 'CKA_ID', 'CKA_ENCRYPT', 'CKA_DECRYPT']);
          id = cka_id ?? id;
          aesKey = keyType !== undefined && ulong(keyType) === aes;
          usable = encrypt?.[0] === 1 && decrypt?.[0] === 1;
        }
        objects.push({ handle, label: text, objectClass, id, aesKey, usable });
      }
      const listed = new Map<string, Pkcs11Handle[]>();
      for (const o of objects) listed.set(objectKey(o.label, o.id), [...(listed.get(objectKey(o.label, o.id)) ?? []), o.handle]);
      this.#listed = listed;
      return objects;
    });
  }

  /**
   * Attribute values by name (undefined where the object has none). One call for all; if the token
   * refuses it (an attribute missing or sensitive), one call each, so a missing one hides no other.
   */
  private attributes(session: Pkcs11Handle, module: Pkcs11Module, handle: Pkcs11Handle, names: readonly string[]): (Buffer | undefined)[] {
    const tolerated = (error: unknown) => {
      const code = returnCodeOf(error) ?? '';
      return STALE_HANDLE.has(code) || code === 'CKR_ATTRIBUTE_TYPE_INVALID' || code === 'CKR_ATTRIBUTE_SENSITIVE';
    };
    try {
      const values = module.C_GetAttributeValue(session, handle, names.map((name) => ({ type: this.token.c(name) })));
      return names.map((_, i) => values[i]?.value);
    } catch (error) {
      if (!tolerated(error)) throw error;
    }
    return names.map((name) => {
      try {
        return module.C_GetAttributeValue(session, handle, [{ type: this.token.c(name) }])[0]?.value;
      } catch (error) {
        if (tolerated(error)) return undefined;
        throw error;
      }
    });
  }

  /** The token's listing for listVersions: reused for scanCacheMs. */
  private cachedScan(): Promise<TokenObject[]> {
    const now = performance.now();
    if (!this.#scan || now - this.#scan.at > this.scanCacheMs) {
      const objects = this.scanToken();
      this.#scan = { at: now, objects };
      objects.catch(() => {
        if (this.#scan?.objects === objects) this.#scan = undefined;
      });
    }
    return this.#scan.objects;
  }

  /** Records AES key objects labelled for the tenant that the vault does not know yet. */
  private async adoptUnrecorded(keyId: string, tenantId: string): Promise<void> {
    const prefix = tenantLabelPrefix(tenantId);
    const candidates = (await this.cachedScan()).filter((o) => o.aesKey && o.label.startsWith(prefix));
    if (candidates.length === 0) return;
    const known = await this.pool.query<{ object_label: string; object_id: Buffer }>('select object_label, object_id from vault_pkcs11_versions where key_id = $1', [keyId]);
    const seen = new Set(known.rows.map((r) => objectKey(r.object_label, r.object_id)));
    if (candidates.every((o) => seen.has(objectKey(o.label, o.id)))) return;
    // Listed afresh (the objects may have gone since), then compared under the key's lock, where a
    // version being created when the token was listed is recorded, and an unrecorded one an orphan.
    const listed = await this.scanToken();
    await this.inTransaction(async (client) => {
      const key = await this.lockKey(client, keyId);
      if (!key.tombstoned_at) await this.adoptLocked(client, keyId, tenantId, listed);
    });
  }

  /** adoptUnrecorded's work, with the key row locked by `client`. */
  private async adoptLocked(client: pg.PoolClient, keyId: string, tenantId: string, objects: readonly TokenObject[]): Promise<void> {
    const prefix = tenantLabelPrefix(tenantId);
    const known = await client.query<{ object_label: string; object_id: Buffer }>('select object_label, object_id from vault_pkcs11_versions where key_id = $1', [keyId]);
    const seen = new Set(known.rows.map((r) => objectKey(r.object_label, r.object_id)));
    const now = this.clock.now();
    for (const o of objects) {
      if (!o.aesKey || !o.label.startsWith(prefix) || seen.has(objectKey(o.label, o.id))) continue;
      seen.add(objectKey(o.label, o.id));
      await client.query(
        `insert into vault_pkcs11_versions (version_id, key_id, object_label, object_id, origin, state, created_at, disabled_at)
         values ($1, $2, $3, $4, 'detected', $5, $6, $7) on conflict do nothing`,
        [detectedVersionId(o.label, o.id), keyId, o.label, o.id, o.usable ? 'enabled' : 'disabled', now, o.usable ? null : now],
      );
    }
  }

  private async generateVersion(
    client: pg.PoolClient,
    onRollback: (undo: () => Promise<void>) => void,
    keyId: string,
    tenantId: string,
    now: Date,
    requestId?: string,
  ): Promise<CreatedKeyVersion> {
    const versionId = `vkv-${randomUUID()}`;
    const label = objectLabel(tenantId, versionId);
    const id = Buffer.from(versionId, 'utf8');
    const t = this.token;
    const handle = await t.withSession((session, module) =>
      module.C_GenerateKeyAsync(
        session,
        { mechanism: t.c('CKM_AES_KEY_GEN') },
        t.template([
          ['CKA_CLASS', t.c('CKO_SECRET_KEY')],
          ['CKA_KEY_TYPE', t.c('CKK_AES')],
          ['CKA_VALUE_LEN', KEY_BYTES],
          ['CKA_TOKEN', true],
          ['CKA_PRIVATE', true],
          ['CKA_SENSITIVE', true],
          ['CKA_EXTRACTABLE', false],
          ['CKA_MODIFIABLE', true],
          ['CKA_ENCRYPT', true],
          ['CKA_DECRYPT', true],
          ['CKA_WRAP', false],
          ['CKA_UNWRAP', false],
          ['CKA_SIGN', false],
          ['CKA_VERIFY', false],
          ['CKA_DERIVE', false],
          ['CKA_LABEL', label],
          ['CKA_ID', id],
        ]),
      ),
    );
    // Not recorded after all (the transaction failed): no orphan left on the token, if it can be helped.
    onRollback(() => t.withSession((session, module) => this.destroyObject(session, module, handle)));
    await client.query(
      `insert into vault_pkcs11_versions (version_id, key_id, object_label, object_id, origin, request_id, state, created_at)
       values ($1, $2, $3, $4, 'lethe', $5, 'enabled', $6)`,
      [versionId, keyId, label, id, requestId ?? null, now],
    );
    this.#handles.set(versionId, handle);
    return { versionId, createdAt: now };
  }

  /**
   * destroy's work in `client`'s transaction: the version's row locked, its objects destroyed, then
   * recorded. `search`: also search the token for objects of the version the latest listing missed
   * (a copy made since); destroyKey lists the whole token afterwards instead.
   */
  private async destroyLocked(client: pg.PoolClient, versionId: string, search: boolean): Promise<DestroyResult> {
    const row = await this.versionRow(client, versionId, 'for update of v');
    if (!row) return { outcome: 'unknown', unusableAt: null, purgedAt: null };
    if (row.state === 'destroyed') return { outcome: 'already-destroyed', unusableAt: row.unusable_at!, purgedAt: row.purged_at };
    await this.token.withSession((session, module) => {
      const handles = this.objectHandles(session, module, row);
      const found = search ? this.findObjects(session, module, row.object_label, row.object_id) : [];
      for (const handle of [...handles, ...found]) this.destroyObject(session, module, handle);
    });
    const now = this.clock.now();
    await client.query(`update vault_pkcs11_versions set state = 'destroyed', unusable_at = $2, purged_at = $2 where version_id = $1`, [versionId, now]);
    return { outcome: 'destroyed', unusableAt: now, purgedAt: now };
  }

  private destroyObject(session: Pkcs11Handle, module: Pkcs11Module, handle: Pkcs11Handle): void {
    try {
      module.C_DestroyObject(session, handle);
    } catch (error) {
      if (!STALE_HANDLE.has(returnCodeOf(error) ?? '')) throw error; // gone already
    }
  }

  /** The version if it may wrap and unwrap now; the port's typed error otherwise. */
  private async usableVersion(versionId: string): Promise<VersionRow> {
    const row = await this.versionRow(this.pool, versionId);
    if (!row) throw new UnknownKeyVersionError(versionId);
    if (row.state === 'destroyed') throw new KeyVersionDestroyedError(versionId, row.unusable_at);
    if (row.state === 'disabled') throw new KeyVersionDisabledError(versionId);
    return row;
  }

  private async versionRow(db: pg.Pool | pg.PoolClient, versionId: string, lock = ''): Promise<VersionRow | undefined> {
    const result = await db.query<VersionRow>(
      `select v.version_id, v.key_id, k.tenant_id, v.object_label, v.object_id, v.state, v.created_at, v.unusable_at, v.purged_at
         from vault_pkcs11_versions v join vault_pkcs11_keys k on k.key_id = v.key_id
        where v.version_id = $1 ${lock}`,
      [versionId],
    );
    return result.rows[0];
  }

  /** The version's key object: the remembered handle if it still names that object, else looked up. */
  private async handleOf(session: Pkcs11Handle, module: Pkcs11Module, row: VersionRow): Promise<Pkcs11Handle> {
    const cached = this.#handles.get(row.version_id);
    if (cached && this.names(session, module, cached, row)) return cached;
    this.#handles.delete(row.version_id);
    const [handle] = this.objectHandles(session, module, row);
    if (!handle) throw new KeyObjectMissingError(row.version_id, this.token.tokenLabel);
    this.#handles.set(row.version_id, handle);
    return handle;
  }

  /**
   * Every object with the version's label and CKA_ID: from the latest listing when it still names
   * them (a handle may be reused for another object once its own is gone, on some tokens), else by a
   * search, which on some tokens (SoftHSM2) reads every object.
   */
  private objectHandles(session: Pkcs11Handle, module: Pkcs11Module, row: VersionRow): Pkcs11Handle[] {
    const listed = (this.#listed.get(objectKey(row.object_label, row.object_id)) ?? []).filter((h) => this.names(session, module, h, row));
    return listed.length > 0 ? listed : this.findObjects(session, module, row.object_label, row.object_id);
  }

  /** Whether `handle` names the version's object now. */
  private names(session: Pkcs11Handle, module: Pkcs11Module, handle: Pkcs11Handle, row: VersionRow): boolean {
    const [label, id] = this.attributes(session, module, handle, ['CKA_LABEL', 'CKA_ID']);
    return label?.toString('utf8') === row.object_label && id !== undefined && id.equals(row.object_id);
  }

  private findObjects(session: Pkcs11Handle, module: Pkcs11Module, label: string, id: Buffer): Pkcs11Handle[] {
    module.C_FindObjectsInit(session, this.token.template([['CKA_CLASS', this.token.c('CKO_SECRET_KEY')], ['CKA_LABEL', label], ['CKA_ID', id]]));
    try {
      return module.C_FindObjects(session, 16);
    } finally {
      module.C_FindObjectsFinal(session);
    }
  }

  /** C_EncryptInit / C_DecryptInit with AES-GCM, mapping a key the token will not use to the port's errors. */
  private cryptInit(module: Pkcs11Module, call: 'C_EncryptInit' | 'C_DecryptInit', session: Pkcs11Handle, iv: Buffer, aad: Buffer, handle: Pkcs11Handle, row: VersionRow): void {
    const init = (params: string) => {
      const mechanism = { mechanism: this.token.c('CKM_AES_GCM'), parameter: { type: this.token.c(params), iv, aad, ivBits: IV_BYTES * 8, tagBits: TAG_BYTES * 8 } };
      module[call](session, mechanism, handle);
    };
    try {
      try {
        init(this.#gcmParams);
      } catch (error) {
        // A token built on PKCS#11 2.40 headers reads CK_GCM_PARAMS without ulIvBits: try that layout once.
        if (returnCodeOf(error) !== 'CKR_MECHANISM_PARAM_INVALID' || this.#gcmParams !== 'CK_PARAMS_AES_GCM') throw error;
        init('CK_PARAMS_AES_GCM_v240');
        this.#gcmParams = 'CK_PARAMS_AES_GCM_v240';
      }
    } catch (error) {
      const code = returnCodeOf(error) ?? '';
      if (NOT_PERMITTED.has(code)) throw new KeyVersionDisabledError(row.version_id);
      if (STALE_HANDLE.has(code)) {
        this.#handles.delete(row.version_id);
        throw new KeyObjectMissingError(row.version_id, this.token.tokenLabel);
      }
      throw error;
    }
  }

  private async lockKey(client: pg.PoolClient, keyId: string): Promise<{ tenant_id: string; tombstoned_at: Date | null }> {
    const key = await client.query<{ tenant_id: string; tombstoned_at: Date | null }>('select tenant_id, tombstoned_at from vault_pkcs11_keys where key_id = $1 for update', [keyId]);
    if (key.rowCount === 0) throw new UnknownKeyError(keyId);
    return key.rows[0];
  }

  /** Runs `work` in a transaction; what it registered with onRollback runs (best effort) if it does not commit. */
  private async inTransaction<T>(work: (client: pg.PoolClient, onRollback: (undo: () => Promise<void>) => void) => Promise<T>): Promise<T> {
    const undo: (() => Promise<void>)[] = [];
    try {
      return await inTransaction(this.pool, (client) => work(client, (u) => undo.push(u)));
    } catch (error) {
      for (const u of undo) await u().catch(() => undefined);
      throw error;
    }
  }
}
