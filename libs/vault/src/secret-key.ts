// An opaque AES-256-GCM key held in process memory. Its bytes live in an ECMAScript private field:
// they never show in util.inspect, console.log, JSON.stringify, String() or an error, and leave the
// object only through exportBytes() (for wrapping by a KeyVault).
//
// Sealed format (self-describing, version 1):
//   byte 0      format = 0x01 (AES-256-GCM, 96-bit random IV, 128-bit tag)
//   bytes 1-12  IV
//   bytes 13-28 GCM tag
//   bytes 29-   ciphertext (same length as the plaintext)
// The `context` string is bound as additional authenticated data: a blob sealed for one context
// (a key version id, a database, an asset) does not open in another, even with the same key.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { DecryptionFailedError } from './errors.js';

export const KEY_BYTES = 32;
const FORMAT_V1 = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;
const HKDF_SALT = Buffer.from('lethe/hkdf/v1', 'utf8');

export class SecretKey {
  readonly #bytes: Buffer;

  protected constructor(bytes: Buffer) {
    if (bytes.length !== KEY_BYTES) throw new RangeError(`a secret key is ${KEY_BYTES} bytes, got ${bytes.length}`);
    this.#bytes = Buffer.from(bytes); // own copy: the caller may reuse or wipe its buffer
  }

  /** A fresh random 256-bit key. */
  static generate(): SecretKey {
    return new SecretKey(randomBytes(KEY_BYTES));
  }

  /** Wraps 32 bytes (copied). */
  static fromBytes(bytes: Buffer): SecretKey {
    return new SecretKey(bytes);
  }

  /** A copy of the raw bytes, for wrapping by a KeyVault. Keep it no longer than needed. */
  exportBytes(): Buffer {
    return Buffer.from(this.#bytes);
  }

  /**
   * A sub-key for one purpose (HKDF-SHA256). Different purposes give independent keys, so one master
   * key can protect the vault's key material and the data plane's platform assets separately.
   */
  derive(purpose: string): SecretKey {
    if (!purpose) throw new RangeError('derive needs a purpose');
    const okm = hkdfSync('sha256', this.#bytes, HKDF_SALT, Buffer.from(purpose, 'utf8'), KEY_BYTES);
    return new SecretKey(Buffer.from(okm));
  }

  /** AES-256-GCM with a random IV; `context` is authenticated, not stored. */
  seal(plaintext: Buffer, context: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#bytes, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([FORMAT_V1]), iv, cipher.getAuthTag(), ciphertext]);
  }

  /** Opens what seal() produced with the same key and context; throws DecryptionFailedError otherwise. */
  open(sealed: Buffer, context: string): Buffer {
    if (!Buffer.isBuffer(sealed) || sealed.length < HEADER_BYTES || sealed[0] !== FORMAT_V1) {
      throw new DecryptionFailedError('not a sealed blob of a known format');
    }
    const iv = sealed.subarray(1, 1 + IV_BYTES);
    const tag = sealed.subarray(1 + IV_BYTES, HEADER_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#bytes, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES)), decipher.final()]);
    } catch {
      throw new DecryptionFailedError('wrong key, wrong context or altered data');
    }
  }

  protected label(): string {
    return '[SecretKey]';
  }

  toString(): string {
    return this.label();
  }

  toJSON(): string {
    return this.label();
  }

  [inspect.custom](): string {
    return this.label();
  }
}

/** The root key of the local vault and of the platform key: never stored in the database. */
export class MasterKey extends SecretKey {
  private constructor(
    bytes: Buffer,
    /** Where it came from: the LETHE_MASTER_KEY setting, an existing file, or a file generated now. */
    readonly source: KeySource,
  ) {
    super(bytes);
  }

  /** Wraps 32 bytes (copied). Prefer loadMasterKey(). */
  static override fromBytes(bytes: Buffer, source: KeySource = 'env'): MasterKey {
    return new MasterKey(bytes, source);
  }

  static override generate(): MasterKey {
    return new MasterKey(randomBytes(KEY_BYTES), 'generated');
  }

  protected override label(): string {
    return '[MasterKey]';
  }
}

export type KeySource = 'env' | 'file' | 'generated';
