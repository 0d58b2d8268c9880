// Errors of the pkcs11 adapter beyond the port's own (errors.ts). Messages name settings, ids and
// PKCS#11 return codes (CKR_*) only: never the PIN, key material or a wrapped blob.
import { KeyVaultError } from '../errors.js';

/**
 * A LETHE_PKCS11_* setting is unusable: the library does not load, no token has the label, the PIN
 * file is readable by others, the token refuses the PIN… Refused at boot (exit 2). Never shows a PIN.
 */
export class Pkcs11SettingError extends Error {
  readonly code = 'PKCS11_SETTING';
  constructor(
    readonly setting: string,
    readonly rule: string,
  ) {
    super(`${setting}: ${rule}`);
    this.name = 'Pkcs11SettingError';
  }
}

/**
 * The version is known and not destroyed, yet its key object is not on the token: removed outside
 * Lethe, or the engine is connected to another token. The material is not reachable; the version is
 * not recorded as destroyed (the right token may come back).
 */
export class KeyObjectMissingError extends KeyVaultError {
  readonly code = 'KEY_OBJECT_MISSING';
  constructor(
    readonly versionId: string,
    readonly tokenLabel: string,
  ) {
    super(`the key object of key version ${versionId} is not on the token ${JSON.stringify(tokenLabel)}: removed outside Lethe, or another token (LETHE_PKCS11_TOKEN_LABEL)`);
    this.name = 'KeyObjectMissingError';
  }
}
