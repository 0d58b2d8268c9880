// `lethe signing-key rotate`: a new Ed25519 key replaces signing.key in the data folder. The old
// private key is deleted with it (a retired key never signs again); its public half stays listed in
// the database (lethe_signing_keys), where the engines recorded it when they started with it. Engines
// sign with the new key once they restart (or, when they find their key retired by another instance,
// reload the file); the first to use it records it as current and closes the old key's validity.
import { createPublicKey } from 'node:crypto';
import { InvalidKeySettingError } from '../errors.js';
import { replaceKeyFile } from '../key-file.js';
import { SIGNING_KEY_FILE, SIGNING_KEY_SETTING, generateSigningKeyPem, loadOrCreateSigningKey, signingKeyId } from '../signing-key.js';

export interface RotateSigningKeyOptions {
  /** LETHE_SIGNING_KEY: when set, the file is not the key in use, and rotation is refused. */
  readonly env?: string | undefined;
  readonly dataDir: string;
  readonly file?: string;
}

export interface RotatedSigningKey {
  /** The key signing.key held before (generated now when there was none). */
  readonly previousKeyId: string;
  readonly keyId: string;
  readonly path: string;
}

/**
 * Replaces the data folder's signing key with a new Ed25519 key (atomically, mode 0600).
 * @throws InvalidKeySettingError when LETHE_SIGNING_KEY is set (rotate it where it is set instead);
 *   the key file errors of loadOrCreateSigningKey when the current file is unusable.
 */
export async function rotateSigningKeyFile(options: RotateSigningKeyOptions): Promise<RotatedSigningKey> {
  if (options.env !== undefined && options.env.trim() !== '') {
    throw new InvalidKeySettingError(
      SIGNING_KEY_SETTING,
      'is set, so the engines sign with it and not with signing.key: rotate by setting it to a new Ed25519 key on every instance and restarting them',
    );
  }
  const file = options.file ?? SIGNING_KEY_FILE;
  const previous = await loadOrCreateSigningKey({ dataDir: options.dataDir, file });
  const { pem, privateKey } = generateSigningKeyPem();
  const path = await replaceKeyFile(options.dataDir, file, Buffer.from(pem));
  return { previousKeyId: signingKeyId(previous.publicKey), keyId: signingKeyId(createPublicKey(privateKey)), path };
}
