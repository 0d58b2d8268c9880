import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { rejection } from '@lethe/testing';
import {
  InvalidKeyFileError,
  InvalidKeySettingError,
  KeyFilePermissionError,
  MasterKey,
  SecretKey,
  DecryptionFailedError,
  loadMasterKey,
  loadOrCreateSigningKey,
} from './index.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lethe-vault-keys-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
let n = 0;
const freshDir = () => join(root, `d${++n}`, 'nested');

/** Same key iff what one seals, the other opens. */
function sameKey(a: SecretKey, b: SecretKey): boolean {
  try {
    b.open(a.seal(Buffer.from('probe'), 'ctx'), 'ctx');
    return true;
  } catch {
    return false;
  }
}

describe('SecretKey', () => {
  it('seals with a random IV in a self-describing format and opens only with the same key and context', () => {
    const key = SecretKey.generate();
    const plaintext = Buffer.from('lethe-sentinel:t:db');
    const a = key.seal(plaintext, 'ctx');
    const b = key.seal(plaintext, 'ctx');
    expect(a[0]).toBe(0x01);
    expect(a).toHaveLength(1 + 12 + 16 + plaintext.length);
    expect(a.equals(b)).toBe(false);
    expect(key.open(a, 'ctx').equals(plaintext)).toBe(true);
    expect(() => key.open(a, 'other-ctx')).toThrow(DecryptionFailedError);
    expect(() => SecretKey.generate().open(a, 'ctx')).toThrow(DecryptionFailedError);
    expect(() => key.open(Buffer.from([0x02, ...a.subarray(1)]), 'ctx')).toThrow(DecryptionFailedError);
    expect(() => key.open(a.subarray(0, 20), 'ctx')).toThrow(DecryptionFailedError);
  });

  it('derives independent, deterministic sub-keys per purpose', () => {
    const master = MasterKey.generate();
    expect(sameKey(master.derive('a'), master.derive('a'))).toBe(true);
    expect(sameKey(master.derive('a'), master.derive('b'))).toBe(false);
    expect(sameKey(master.derive('a'), master)).toBe(false);
    expect(sameKey(MasterKey.fromBytes(master.exportBytes()).derive('a'), master.derive('a'))).toBe(true);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => SecretKey.fromBytes(randomBytes(16))).toThrow(RangeError);
    expect(() => MasterKey.fromBytes(randomBytes(33))).toThrow(RangeError);
  });

  it('never shows its bytes through toString, JSON, inspect, template strings or object spread', () => {
    const bytes = randomBytes(32);
    const master = MasterKey.fromBytes(bytes);
    const derived = master.derive('x');
    const renders = [
      String(master),
      `${master}`,
      JSON.stringify(master),
      JSON.stringify({ master }),
      inspect(master, { showHidden: true, depth: 5 }),
      inspect({ nested: { master } }, { depth: 5 }),
      JSON.stringify({ ...master }),
    ];
    expect(renders.slice(0, 3)).toEqual(['[MasterKey]', '[MasterKey]', '"[MasterKey]"']);
    expect(inspect(master)).toBe('[MasterKey]');
    expect(String(derived)).toBe('[SecretKey]');
    expect(inspect(derived)).toBe('[SecretKey]');
    const derivedBytes = derived.exportBytes();
    for (const r of renders) {
      for (const b of [bytes, derivedBytes]) {
        expect(r).not.toContain(b.toString('hex'));
        expect(r).not.toContain(b.toString('base64'));
        expect(r).not.toContain(b.toString('latin1'));
      }
    }
  });
});

describe('loadMasterKey', () => {
  it('uses LETHE_MASTER_KEY (base64 or base64url of 32 bytes) and touches no file', async () => {
    const bytes = randomBytes(32);
    const dir = freshDir();
    const fromEnv = await loadMasterKey({ env: bytes.toString('base64'), dataDir: dir });
    expect(fromEnv.source).toBe('env');
    expect(sameKey(fromEnv, MasterKey.fromBytes(bytes))).toBe(true);
    const fromUrl = await loadMasterKey({ env: ` ${bytes.toString('base64url')}\n`, dataDir: dir });
    expect(sameKey(fromUrl, fromEnv)).toBe(true);
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['too long', randomBytes(48).toString('base64')],
    ['not base64', `${randomBytes(32).toString('hex').slice(0, 40)}!!`],
    ['hex instead of base64', randomBytes(32).toString('hex')],
    ['empty', ''],
    ['blank', '   '],
  ])('refuses LETHE_MASTER_KEY that is %s, naming the setting but not its value', async (_label, value) => {
    const error = await rejection(loadMasterKey({ env: value, dataDir: freshDir() }));
    expect(error).toBeInstanceOf(InvalidKeySettingError);
    expect(error.message).toContain('LETHE_MASTER_KEY');
    if (value.trim()) expect(error.message).not.toContain(value.trim().slice(0, 8));
  });

  it('generates master.key with mode 0600 on first start (creating the data folder), then reuses it', async () => {
    const dir = freshDir();
    const first = await loadMasterKey({ dataDir: dir });
    expect(first.source).toBe('generated');
    const file = join(dir, 'master.key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const content = (await readFile(file, 'utf8')).trim();
    expect(Buffer.from(content, 'base64')).toHaveLength(32);
    const second = await loadMasterKey({ dataDir: dir });
    expect(second.source).toBe('file');
    expect(sameKey(first, second)).toBe(true);
    // The env setting wins over the file.
    expect(sameKey(await loadMasterKey({ env: randomBytes(32).toString('base64'), dataDir: dir }), first)).toBe(false);
  });

  it('instances starting together agree on one generated key', async () => {
    const dir = freshDir();
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadMasterKey({ dataDir: dir })));
    expect(keys.filter((k) => k.source === 'generated')).toHaveLength(1);
    for (const k of keys) expect(sameKey(k, keys[0])).toBe(true);
  });

  it.each([
    ['0644', 0o644],
    ['0640', 0o640],
    ['0604', 0o604],
    ['0666', 0o666],
  ])('refuses a master.key with mode %s, naming the file and mode 0600', async (_label, mode) => {
    const dir = freshDir();
    await loadMasterKey({ dataDir: dir });
    const file = join(dir, 'master.key');
    await chmod(file, mode);
    const error = await rejection(loadMasterKey({ dataDir: dir }));
    expect(error).toBeInstanceOf(KeyFilePermissionError);
    expect(error.message).toContain(file);
    expect(error.message).toContain('0600');
    expect(error.message).toContain(`0${mode.toString(8)}`);
    expect(error.message).not.toContain((await readFile(file, 'utf8')).trim().slice(0, 8));
  });

  it('accepts 0400 and a file of 32 raw bytes', async () => {
    const dir = freshDir();
    await loadMasterKey({ dataDir: dir });
    const file = join(dir, 'master.key');
    const raw = randomBytes(32);
    await writeFile(file, raw);
    await chmod(file, 0o400);
    const key = await loadMasterKey({ dataDir: dir });
    expect(key.source).toBe('file');
    expect(sameKey(key, MasterKey.fromBytes(raw))).toBe(true);
  });

  it('refuses a master.key that holds no 32-byte key, without showing its content', async () => {
    const dir = freshDir();
    await loadMasterKey({ dataDir: dir });
    const file = join(dir, 'master.key');
    const content = randomBytes(20).toString('base64');
    await writeFile(file, content);
    const error = await rejection(loadMasterKey({ dataDir: dir }));
    expect(error).toBeInstanceOf(InvalidKeyFileError);
    expect(error.message).toContain(file);
    expect(error.message).not.toContain(content.slice(0, 8));
  });
});

describe('loadOrCreateSigningKey', () => {
  const signs = (pair: { privateKey: import('node:crypto').KeyObject; publicKey: import('node:crypto').KeyObject }) => {
    const data = Buffer.from('deletion certificate');
    return verify(null, data, pair.publicKey, sign(null, data, pair.privateKey));
  };

  it('generates an Ed25519 signing.key (PKCS#8 PEM, mode 0600) and reuses it', async () => {
    const dir = freshDir();
    const first = await loadOrCreateSigningKey({ dataDir: dir });
    expect(first.source).toBe('generated');
    expect(first.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(first.publicKey.type).toBe('public');
    expect(signs(first)).toBe(true);
    const file = join(dir, 'signing.key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const second = await loadOrCreateSigningKey({ dataDir: dir });
    expect(second.source).toBe('file');
    expect(second.publicKey.export({ format: 'der', type: 'spki' })).toEqual(first.publicKey.export({ format: 'der', type: 'spki' }));
    // A separate file name, and the master key's file rules.
    await loadOrCreateSigningKey({ dataDir: dir, file: 'other.key' });
    await chmod(join(dir, 'other.key'), 0o644);
    await expect(loadOrCreateSigningKey({ dataDir: dir, file: 'other.key' })).rejects.toBeInstanceOf(KeyFilePermissionError);
  });

  it('uses LETHE_SIGNING_KEY as PKCS#8 PEM or base64 DER', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const der = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    for (const env of [pem, der]) {
      const pair = await loadOrCreateSigningKey({ env, dataDir: freshDir() });
      expect(pair.source).toBe('env');
      expect(pair.publicKey.export({ format: 'der', type: 'spki' })).toEqual(spki);
      expect(signs(pair)).toBe(true);
    }
  });

  it('refuses a LETHE_SIGNING_KEY that is not an Ed25519 PKCS#8 key, naming the setting but not the value', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const garbage = randomBytes(40).toString('base64');
    for (const env of [ec, garbage, 'not a key!', '']) {
      const error = await rejection(loadOrCreateSigningKey({ env, dataDir: freshDir() }));
      expect(error).toBeInstanceOf(InvalidKeySettingError);
      expect(error.message).toContain('LETHE_SIGNING_KEY');
      if (env) expect(error.message).not.toContain(env.replace(/-----[^-]+-----/g, '').trim().slice(0, 12));
    }
  });

  it('never prints the private key', async () => {
    const pair = await loadOrCreateSigningKey({ dataDir: freshDir() });
    const der = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
    const seed = der.subarray(der.length - 32);
    for (const r of [inspect(pair, { depth: 5, showHidden: true }), JSON.stringify(pair), String(pair.privateKey)]) {
      expect(r).not.toContain(seed.toString('hex'));
      expect(r).not.toContain(seed.toString('base64'));
    }
  });
});
