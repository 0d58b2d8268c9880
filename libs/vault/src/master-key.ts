// The local vault's master key: wraps every key version's material and derives the platform key.
// It never enters the database. Source, in order:
//   1. LETHE_MASTER_KEY (base64 or base64url of exactly 32 bytes; set but empty is refused, never
//      silently replaced by a generated key);
//   2. <dataDir>/master.key (base64 text, or 32 raw bytes), owner-only permissions;
//   3. generated on first start into <dataDir>/master.key with mode 0600.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { InvalidKeySettingError, MasterKeyMissingError } from './errors.js';
import { createKeyFile, loadOrCreateKeyFile, readKeyFile } from './key-file.js';
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

function parseMasterKeyFile(content: Buffer, invalid: (rule: string) => never): Buffer {
  const text = decodeBase64Key(content.toString('utf8'));
  if (text) return text;
  if (content.length === KEY_BYTES) return Buffer.from(content);
  return invalid(`must hold the base64 encoding of exactly ${KEY_BYTES} bytes (or the ${KEY_BYTES} raw bytes)`);
}

/**
 * The master key as the engine finds it (LETHE_MASTER_KEY, else <dataDir>/master.key), but never
 * generated: for operator commands, which must work with the key the engines already use.
 * @throws MasterKeyMissingError when neither is there; the errors of loadMasterKey otherwise.
 */
export async function readMasterKey(options: LoadMasterKeyOptions): Promise<MasterKey> {
  if (options.env !== undefined) return loadMasterKey(options);
  let bytes: Buffer;
  try {
    bytes = await readKeyFile(join(options.dataDir, options.file ?? MASTER_KEY_FILE), parseMasterKeyFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new MasterKeyMissingError(options.dataDir, MASTER_KEY_FILE);
    throw error;
  }
  const key = MasterKey.fromBytes(bytes, 'file');
  bytes.fill(0);
  return key;
}

/**
 * A master key from a file anywhere (base64 text of 32 bytes, as LETHE_MASTER_KEY, or the 32 raw
 * bytes), readable by its owner only.
 * @throws KeyFilePermissionError, InvalidKeyFileError, or the file system's error (ENOENT when missing).
 */
export async function readMasterKeyFile(path: string): Promise<MasterKey> {
  const bytes = await readKeyFile(path, parseMasterKeyFile);
  const key = MasterKey.fromBytes(bytes, 'file');
  bytes.fill(0);
  return key;
}

/**
 * Writes `key` to a new file at `path` as base64 text, the form LETHE_MASTER_KEY and master.key take
 * (mode 0600, fsynced; see createKeyFile). Never replaces a file.
 * @throws EEXIST when `path` exists (it is left as it was); ENOENT when its folder does not.
 */
export async function writeNewMasterKeyFile(path: string, key: MasterKey): Promise<void> {
  const bytes = key.exportBytes();
  const content = Buffer.from(`${bytes.toString('base64')}\n`, 'utf8');
  try {
    await createKeyFile(path, content);
  } finally {
    bytes.fill(0);
    content.fill(0);
  }
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
    parse: parseMasterKeyFile,
  });
  const key = MasterKey.fromBytes(loaded.value, loaded.created ? 'generated' : 'file');
  loaded.value.fill(0);
  return key;
}
