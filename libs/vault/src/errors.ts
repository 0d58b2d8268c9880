// Typed errors of the KeyVault port and the key loaders. Callers (the read probe, the sagas)
// classify failures by class, never by message. Messages name ids, settings and files only: no key
// material, wrapped or plain, in any encoding, and no secret setting's value (ARCHITECTURE.md P6).

/** Base of every error a KeyVault adapter throws on purpose. `code` is stable for logs and metrics. */
export abstract class KeyVaultError extends Error {
  abstract readonly code: string;
}

/** No key with this id exists in the vault. */
export class UnknownKeyError extends KeyVaultError {
  readonly code = 'UNKNOWN_KEY';
  constructor(readonly keyId: string) {
    super(`unknown key ${keyId}`);
    this.name = 'UnknownKeyError';
  }
}

/** No key version with this id exists in the vault. */
export class UnknownKeyVersionError extends KeyVaultError {
  readonly code = 'UNKNOWN_KEY_VERSION';
  constructor(readonly versionId: string) {
    super(`unknown key version ${versionId}`);
    this.name = 'UnknownKeyVersionError';
  }
}

/** The version was disabled (retired): it can neither wrap nor unwrap. Its material still exists. */
export class KeyVersionDisabledError extends KeyVaultError {
  readonly code = 'KEY_VERSION_DISABLED';
  constructor(readonly versionId: string) {
    super(`key version ${versionId} is disabled`);
    this.name = 'KeyVersionDisabledError';
  }
}

/** The version was destroyed: it can never wrap or unwrap again. The read probe's expected failure. */
export class KeyVersionDestroyedError extends KeyVaultError {
  readonly code = 'KEY_VERSION_DESTROYED';
  constructor(readonly versionId: string, readonly unusableAt: Date | null = null) {
    super(`key version ${versionId} is destroyed`);
    this.name = 'KeyVersionDestroyedError';
  }
}

/** Authenticated decryption failed: the input was not wrapped by this version, or was altered. */
export class UnwrapFailedError extends KeyVaultError {
  readonly code = 'UNWRAP_FAILED';
  constructor(readonly versionId: string) {
    super(`unwrap with key version ${versionId} failed: the input was not wrapped by this version or was altered`);
    this.name = 'UnwrapFailedError';
  }
}

/**
 * The key was destroyed (tenant shredded): it can get no new version, and the tenant can never get a
 * key again (resurrection guard).
 */
export class KeyTombstonedError extends KeyVaultError {
  readonly code = 'KEY_TOMBSTONED';
  constructor(readonly keyId: string, readonly tenantId: string) {
    super(`key ${keyId} of tenant ${tenantId} was destroyed: the tenant can never get a key again`);
    this.name = 'KeyTombstonedError';
  }
}

/**
 * The vault refused Lethe's own identity (HTTP 401/403 not caused by a disabled key): its access policy
 * or role assignment lacks a permission, or the credential was rejected. A configuration fault, not an
 * outage: callers fail (and retry), and the message says what the identity needs.
 */
export class KeyVaultAccessDeniedError extends KeyVaultError {
  readonly code = 'VAULT_ACCESS_DENIED';
  constructor(
    readonly operation: string,
    readonly subject: string,
    readonly hint: string,
  ) {
    super(`the key vault refused ${operation} on ${subject} to Lethe's identity: ${hint}`);
    this.name = 'KeyVaultAccessDeniedError';
  }
}

/** Raised by SecretKey.open when authenticated decryption fails (wrong key, wrong context, altered input). */
export class DecryptionFailedError extends Error {
  readonly code = 'DECRYPTION_FAILED';
  constructor(readonly context: string) {
    super(`authenticated decryption failed (${context})`);
    this.name = 'DecryptionFailedError';
  }
}

/** A key setting (environment variable) has an unusable value. The value itself is never shown. */
export class InvalidKeySettingError extends Error {
  readonly code = 'INVALID_KEY_SETTING';
  constructor(readonly setting: string, readonly rule: string) {
    super(`${setting}: ${rule} (the value is not shown)`);
    this.name = 'InvalidKeySettingError';
  }
}

/** A key file is readable by other users than its owner: refused, whatever it holds. */
export class KeyFilePermissionError extends Error {
  readonly code = 'KEY_FILE_PERMISSIONS';
  constructor(readonly path: string, readonly foundMode: string) {
    super(`refusing key file ${path}: its mode is ${foundMode}, it must be 0600 (owner read/write only); run: chmod 600 ${path}`);
    this.name = 'KeyFilePermissionError';
  }
}

/** A key file exists but does not hold a usable key. Its content is never shown. */
export class InvalidKeyFileError extends Error {
  readonly code = 'INVALID_KEY_FILE';
  constructor(readonly path: string, readonly rule: string) {
    super(`key file ${path}: ${rule} (the content is not shown)`);
    this.name = 'InvalidKeyFileError';
  }
}

/**
 * At boot, the master key is not the one this database's vault was sealed with (its key check value
 * differs, or it cannot open a stored version): a lost or replaced LETHE_MASTER_KEY / master.key.
 * Starting anyway would leave every tenant key unreadable. The message names the setting and the data
 * folder, never a key or check value.
 */
export class MasterKeyCheckError extends Error {
  readonly code = 'MASTER_KEY_CHECK_FAILED';
  constructor(
    /** Where the key that failed came from. */
    readonly source: 'env' | 'file' | 'generated',
    /** The data folder (LETHE_DATA_DIR) that was searched for master.key. */
    readonly dataDir: string,
  ) {
    const found =
      source === 'env'
        ? 'LETHE_MASTER_KEY is set to another master key'
        : source === 'file'
          ? `${dataDir}/master.key holds another master key`
          : `no master key was found (LETHE_MASTER_KEY is unset and the data folder ${dataDir} has no master.key), so a new one was generated`;
    super(
      `the master key does not match the one this database's key vault was sealed with: ${found}. ` +
        `Set LETHE_MASTER_KEY to the original key, or restore the original master.key into the data folder (LETHE_DATA_DIR=${dataDir}). ` +
        'Starting with another key would leave every tenant key unreadable.',
    );
    this.name = 'MasterKeyCheckError';
  }
}

/** An operator command needs the master key, and it is neither set (LETHE_MASTER_KEY) nor in the data folder. */
export class MasterKeyMissingError extends Error {
  readonly code = 'MASTER_KEY_MISSING';
  constructor(
    readonly dataDir: string,
    file: string,
  ) {
    super(`no master key: LETHE_MASTER_KEY is unset and the data folder ${dataDir} (LETHE_DATA_DIR) has no ${file}; give the master key the engines run with`);
    this.name = 'MasterKeyMissingError';
  }
}

/**
 * This instance's master key is no longer the database's (a `lethe master-key rotate` ran while it was
 * running): it may seal nothing more under it. Restart the instance with the new master key.
 */
export class MasterKeySupersededError extends KeyVaultError {
  readonly code = 'MASTER_KEY_SUPERSEDED';
  constructor() {
    super("this instance's master key was superseded (the database is bound to a newer one): restart it with the new master key");
    this.name = 'MasterKeySupersededError';
  }
}

/**
 * A signing key that was retired (superseded by a newer one) may never sign again: an instance still
 * configured with it (an old LETHE_SIGNING_KEY or signing.key) must be given the current key.
 */
export class RetiredSigningKeyError extends Error {
  readonly code = 'SIGNING_KEY_RETIRED';
  constructor(readonly keyId: string, readonly retiredAt: string) {
    super(
      `signing key ${keyId} was retired at ${retiredAt} and may not sign again: give this instance the current key ` +
        '(LETHE_SIGNING_KEY, or signing.key in its data folder LETHE_DATA_DIR)',
    );
    this.name = 'RetiredSigningKeyError';
  }
}
