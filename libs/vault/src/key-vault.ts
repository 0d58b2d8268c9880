// The KeyVault port (ARCHITECTURE.md §4). One key per tenant, with versions; a version wraps and
// unwraps data keys and never hands out its own material. Shaped so that Azure Key Vault (soft delete,
// purge protection) and AWS KMS (scheduled deletion) adapters fit: `destroy` reports when a version
// became unusable and, separately, when its material was purged (null while only soft-deleted).
//
// Every adapter must pass keyVaultContract (contract/key-vault.contract.ts). Errors are the typed
// classes of errors.ts; their messages name ids only, never material.

export type KeyVersionState = 'enabled' | 'disabled' | 'destroyed';

export interface KeyVaultCapabilities {
  /** Adapter name: 'local', 'pkcs11', 'azure-keyvault'. */
  readonly kind: string;
  /** True when destroy can only make a version unusable, and purging follows later (or never). */
  readonly softDeleteOnly: boolean;
  /** Minimum days between unusable and purged the vault imposes (Azure 7–90, AWS KMS >= 7, local 0). */
  readonly minPurgeDelayDays: number;
  /**
   * Required of every adapter: how long, at the least, after destroy/destroyKey the material becomes
   * unusable and is purged, as this vault is configured. Lethe refuses to onboard a tenant whose
   * promise (P4: 5 working days) the unusable window cannot meet, and records when a purge that comes
   * later than the promise is expected, then checks it (ARCHITECTURE §3 "Deletion").
   */
  readonly deletionWindow: DeletionWindow;
}

/**
 * The least time (days, may be fractional) from a destroy call until the vault has made the material
 * unusable, and until it has purged it for good. A vault that disables and erases at once: both 0
 * (local, pkcs11). Azure Key Vault: unusable 0 (deleted at once), purged = its soft-delete retention
 * (7–90 days) under purge protection, else 0. `settings` names the configuration settings the
 * windows follow from, so a refusal can say what to change (no values: they may be secret).
 */
export interface DeletionWindow {
  readonly minDaysToUnusable: number;
  readonly minDaysToPurged: number;
  readonly settings: readonly string[];
}

export interface CreatedKey {
  readonly keyId: string;
  readonly versionId: string;
  readonly createdAt: Date;
}

export interface CreatedKeyVersion {
  readonly versionId: string;
  readonly createdAt: Date;
}

export interface KeyVersionInfo {
  readonly versionId: string;
  readonly createdAt: Date;
  readonly state: KeyVersionState;
  /** When the version became (or becomes, for a vault with an unusable window) unusable by destroy (null unless destroyed). */
  readonly unusableAt: Date | null;
  /** When its material was purged for good (null unless purged). */
  readonly purgedAt: Date | null;
}

/**
 * What destroy(versionId) did:
 * - 'destroyed': this call made the version unusable (and, when the vault can, purged it);
 * - 'already-destroyed': an earlier call did; its instants are returned unchanged (idempotent retry);
 * - 'unknown': the vault has no such version; nothing happened, both instants are null.
 */
export type DestroyResult =
  | {
      readonly outcome: 'destroyed' | 'already-destroyed';
      readonly unusableAt: Date;
      readonly purgedAt: Date | null;
      /** While not purged: when the vault will purge the material, when it says (absent: purged, or no date known). */
      readonly purgeScheduledAt?: Date | null;
    }
  | { readonly outcome: 'unknown'; readonly unusableAt: null; readonly purgedAt: null };

export interface DestroyedKeyVersion {
  readonly versionId: string;
  readonly outcome: 'destroyed' | 'already-destroyed';
  readonly unusableAt: Date;
  readonly purgedAt: Date | null;
  /** While not purged: when the vault will purge the material, when it says (absent: purged, or no date known). */
  readonly purgeScheduledAt?: Date | null;
}

export interface KeyVault {
  readonly capabilities: KeyVaultCapabilities;

  /**
   * The tenant's key. Idempotent: when the tenant already has an active key, returns it with its newest
   * version (createdAt is that version's). Throws KeyTombstonedError when the tenant's key was ever
   * destroyed (resurrection guard).
   */
  createKey(tenantId: string): Promise<CreatedKey>;

  /**
   * A new version of the key, newest from now on. With `requestId` (the id of the command that asks,
   * 1..255 characters), idempotent: the version created for that request is returned again, so a
   * caller that crashed before recording the version adopts it on retry instead of creating another.
   * UnknownKeyError, KeyTombstonedError.
   */
  createVersion(keyId: string, requestId?: string): Promise<CreatedKeyVersion>;

  /**
   * Every version of the key, oldest first, destroyed ones included; also after destroyKey, when it
   * tells whether the material has been purged since (purgedAt). UnknownKeyError.
   */
  listVersions(keyId: string): Promise<KeyVersionInfo[]>;

  /**
   * Encrypts (wraps) a data key with the version. The result is self-describing and bound to the
   * version. UnknownKeyVersionError, KeyVersionDisabledError, KeyVersionDestroyedError.
   */
  wrap(versionId: string, plaintext: Buffer): Promise<Buffer>;

  /**
   * Decrypts what wrap(versionId, …) produced. KeyVersionDestroyedError when destroyed (forever),
   * KeyVersionDisabledError when disabled, UnknownKeyVersionError, UnwrapFailedError when the input was
   * not wrapped by this version or was altered.
   */
  unwrap(versionId: string, wrapped: Buffer): Promise<Buffer>;

  /**
   * Makes the version unusable for wrap and unwrap, keeping its material (retirement). Idempotent;
   * a destroyed version stays destroyed (no-op). UnknownKeyVersionError.
   */
  disable(versionId: string): Promise<void>;

  /**
   * Makes a disabled version usable for wrap and unwrap again (break-glass `key-version.enable`: a
   * retired version brought back for a time-bound restore). Idempotent: an enabled version is left
   * as it is. A destroyed version never comes back: KeyVersionDestroyedError. UnknownKeyVersionError.
   */
  enable(versionId: string): Promise<void>;

  /** Makes the version unusable for good and purges its material when the vault can. See DestroyResult. */
  destroy(versionId: string): Promise<DestroyResult>;

  /**
   * Destroys every version of the key and tombstones it: no new version, and the tenant can never get a
   * key again. Idempotent: a retry returns every version with its first instants ('already-destroyed').
   * UnknownKeyError.
   */
  destroyKey(keyId: string): Promise<DestroyedKeyVersion[]>;
}
