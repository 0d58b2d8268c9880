// The master key files of `lethe master-key rotate`: the current key is read as the engine reads it
// but never generated; the new key comes from an owner-only file, or is written to a new 0600 file
// that never replaces anything.
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rejection } from '@lethe/testing';
import { KeyFilePermissionError, MasterKey, MasterKeyMissingError, readMasterKey, readMasterKeyFile, writeNewMasterKeyFile } from './index.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'lethe-master-key-files-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
let n = 0;
const fresh = () => join(root, `f${++n}`);

/** Same key iff what one seals, the other opens. */
const sameKey = (a: MasterKey, b: MasterKey) => {
  try {
    b.open(a.seal(Buffer.from('probe'), 'ctx'), 'ctx');
    return true;
  } catch {
    return false;
  }
};

describe('given a data folder without master.key and LETHE_MASTER_KEY unset', () => {
  it('when the current key is read, then it is refused naming both, and no key is generated', async () => {
    const dataDir = fresh();
    const error = await rejection(readMasterKey({ env: undefined, dataDir }));
    expect(error).toBeInstanceOf(MasterKeyMissingError);
    expect(error.message).toBe(`no master key: LETHE_MASTER_KEY is unset and the data folder ${dataDir} (LETHE_DATA_DIR) has no master.key; give the master key the engines run with`);
    await expect(stat(join(dataDir, 'master.key'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('given the current key in LETHE_MASTER_KEY or master.key', () => {
  it('when it is read, then it is that key, from where the engine would take it', async () => {
    const bytes = randomBytes(32);
    const fromEnv = await readMasterKey({ env: bytes.toString('base64'), dataDir: fresh() });
    const dataDir = fresh();
    const path = join(dataDir, 'master.key');
    await mkdir(dataDir);
    await writeNewMasterKeyFile(path, fromEnv);
    const fromFile = await readMasterKey({ env: undefined, dataDir });
    expect(fromFile.source).toBe('file');
    expect(sameKey(fromEnv, fromFile)).toBe(true);
  });
});

describe('given a path for a new key', () => {
  it('when a key is written there, then the file is 0600 base64 of 32 bytes that reads back as the same key', async () => {
    const path = join(root, `new-${++n}.key`);
    const key = MasterKey.generate();
    await writeNewMasterKeyFile(path, key);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(path, 'utf8')).trim(), 'base64')).toHaveLength(32);
    expect(sameKey(await readMasterKeyFile(path), key)).toBe(true);
    // No temporary file is left beside it.
    expect((await readdir(root)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('when the file exists, then it is not overwritten (EEXIST) and keeps its content', async () => {
    const path = join(root, `taken-${++n}.key`);
    await writeFile(path, 'precious\n', { mode: 0o600 });
    await expect(writeNewMasterKeyFile(path, MasterKey.generate())).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readFile(path, 'utf8')).toBe('precious\n');
  });

  it('when a key file is readable by others, then it is refused whatever it holds', async () => {
    const path = join(root, `open-${++n}.key`);
    await writeFile(path, `${randomBytes(32).toString('base64')}\n`);
    await chmod(path, 0o644);
    expect(await rejection(readMasterKeyFile(path))).toBeInstanceOf(KeyFilePermissionError);
  });
});
