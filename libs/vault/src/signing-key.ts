// The Ed25519 key that signs deletion certificates. Same rules as the master key:
//   1. LETHE_SIGNING_KEY: a PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----") or the base64 of its DER;
//      set but empty is refused;
//   2. <dataDir>/signing.key (PKCS#8 PEM), owner-only permissions;
//   3. generated on first start into <dataDir>/signing.key with mode 0600.
// Only Ed25519 keys are accepted. Node's KeyObject never prints or serialises its material.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { InvalidKeySettingError } from './errors.js';
import { loadOrCreateKeyFile } from './key-file.js';
import type { KeySource } from './secret-key.js';

export const SIGNING_KEY_SETTING = 'LETHE_SIGNING_KEY';
export const SIGNING_KEY_FILE = 'signing.key';

export interface LoadSigningKeyOptions {
  /** Value of LETHE_SIGNING_KEY (usually process.env.LETHE_SIGNING_KEY). Undefined: use the file. */
  readonly env?: string | undefined;
  readonly dataDir: string;
  /** File name inside dataDir; default signing.key. */
  readonly file?: string;
}

export interface SigningKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly source: KeySource;
}

/** A public key's id: the first 32 hex digits of the SHA-256 of its SPKI DER encoding. */
export function signingKeyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 32);
}

/** A new Ed25519 private key as PKCS#8 PEM, the format of signing.key. */
export function generateSigningKeyPem(): { pem: string; privateKey: KeyObject } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { pem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), privateKey };
}

/** Parses a PKCS#8 PEM or base64 DER Ed25519 private key; returns a rule violated, or the key. */
function parseEd25519(text: string): KeyObject | string {
  let key: KeyObject;
  try {
    if (text.includes('-----BEGIN')) {
      key = createPrivateKey({ key: text, format: 'pem' });
    } else {
      const compact = text.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) return 'must be a PKCS#8 PEM or the base64 of a PKCS#8 DER private key';
      key = createPrivateKey({ key: Buffer.from(compact, 'base64'), format: 'der', type: 'pkcs8' });
    }
  } catch {
    // The parser's own message is dropped on purpose: it is not ours to vouch for.
    return 'must be an unencrypted PKCS#8 private key (PEM, or base64 of the DER)';
  }
  if (key.asymmetricKeyType !== 'ed25519') return `must be an Ed25519 key, not ${key.asymmetricKeyType ?? 'an unknown type'}`;
  return key;
}

export async function loadOrCreateSigningKey(options: LoadSigningKeyOptions): Promise<SigningKeyPair> {
  if (options.env !== undefined) {
    if (options.env.trim() === '') throw new InvalidKeySettingError(SIGNING_KEY_SETTING, 'is set but empty; unset it to use the key file');
    const parsed = parseEd25519(options.env);
    if (typeof parsed === 'string') throw new InvalidKeySettingError(SIGNING_KEY_SETTING, parsed);
    return { privateKey: parsed, publicKey: createPublicKey(parsed), source: 'env' };
  }
  const loaded = await loadOrCreateKeyFile<KeyObject>({
    dataDir: options.dataDir,
    file: options.file ?? SIGNING_KEY_FILE,
    create() {
      const { pem, privateKey } = generateSigningKeyPem();
      return { content: Buffer.from(pem), value: privateKey };
    },
    parse(content, invalid) {
      const parsed = parseEd25519(content.toString('utf8'));
      return typeof parsed === 'string' ? invalid(parsed) : parsed;
    },
  });
  return { privateKey: loaded.value, publicKey: createPublicKey(loaded.value), source: loaded.created ? 'generated' : 'file' };
}
