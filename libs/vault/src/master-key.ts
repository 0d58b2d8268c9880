// The local vault's master key: wraps every key version's material and derives the platform key.
// It never enters the database. Source, in order:
//   1. LETHE_MASTER_KEY (base64 or base64url of exactly 32 bytes; set but empty is refused, never
//      silently replaced by a generated key);
//   2. <dataDir>/master.key (base64 text, or 32 raw bytes), owner-only permissions;
//   3. generated on first start into <dataDir>/master.key with mode 0600.
import { randomBytes } from 'node:crypto';
import { InvalidKeySettingError } from './errors.js';
import { loadOrCreateKeyFile } from './key-file.js';
import { KEY_BYTES, MasterKey } from './secret-key.js';

export const MASTER_KEY_SETTING = 'LETHE_MASTER_KEY';
export const MASTER_KEY_FILE = 'master.key';

export interface LoadMasterKeyOptions {
  /** Value of LETHE_MASTER_KEY (usually process.env.LETHE_MASTER_KEY). Undefined: use the file. */
  readonly env?: string | undefined;
  /** The data folder (LETHE_DATA_DIR) holding master.key. */
  readonly dataDir: string;
  /** File name inside dataDir; default master.key. */
  readonly file?: string;
}

const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Decodes base64/base64url text of exactly `bytes` bytes, or returns null. */
export function decodeBase64Key(text: string, bytes: number = KEY_BYTES): Buffer | null {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact)) return null;
  const decoded = Buffer.from(compact, 'base64');
  return decoded.length === bytes ? decoded : null;
}

export async function loadMasterKey(options: LoadMasterKeyOptions): Promise<MasterKey> {
  if (options.env !== undefined) {
    if (options.env.trim() === '') throw new InvalidKeySettingError(MASTER_KEY_SETTING, 'is set but empty; unset it to use the key file');
    const bytes = decodeBase64Key(options.env);
    if (!bytes) throw new InvalidKeySettingError(MASTER_KEY_SETTING, `must be the base64 encoding of exactly ${KEY_BYTES} bytes`);
    const key = MasterKey.fromBytes(bytes, 'env');
    bytes.fill(0);
    return key;
  }
  const loaded = await loadOrCreateKeyFile<Buffer>({
    dataDir: options.dataDir,
    file: options.file ?? MASTER_KEY_FILE,
    create() {
      const bytes = randomBytes(KEY_BYTES);
      return { content: Buffer.from(`${bytes.toString('base64')}\n`, 'utf8'), value: bytes };
    },
    parse(content, invalid) {
      const text = decodeBase64Key(content.toString('utf8'));
      if (text) return text;
      if (content.length === KEY_BYTES) return Buffer.from(content);
      return invalid(`must hold the base64 encoding of exactly ${KEY_BYTES} bytes (or the ${KEY_BYTES} raw bytes)`);
    },
  });
  const key = MasterKey.fromBytes(loaded.value, loaded.created ? 'generated' : 'file');
  loaded.value.fill(0);
  return key;
}
