// Loads a secret from a file in the data folder, or creates it on first start, for the master key and
// the certificate signing key alike.
//
// - The file must be readable by its owner only: any group/other permission bit (e.g. 0644) is refused
//   with KeyFilePermissionError naming the file and the required mode. 0600 is what we write; 0400
//   (read-only for the owner) is accepted too. Not checked on Windows, which has no POSIX modes.
// - Creation is atomic and race-free between instances starting together: the content is written to a
//   private temporary file (mode 0600, fsynced) and hard-linked to the final name, which fails if the
//   file appeared meanwhile; the loser then reads the winner's file. A half-written key file is never
//   visible under the final name.
// - The data folder is created (mode 0700) when missing.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InvalidKeyFileError, KeyFilePermissionError } from './errors.js';

export interface KeyFileSpec<T> {
  readonly dataDir: string;
  readonly file: string;
  /** Content of a new file (the caller generates the key). */
  create(): { content: Buffer; value: T };
  /** Parses an existing file; calls `invalid(rule)` (which throws InvalidKeyFileError) when unusable. */
  parse(content: Buffer, invalid: (rule: string) => never): T;
}

export interface LoadedKeyFile<T> {
  readonly value: T;
  readonly path: string;
  readonly created: boolean;
}

function modeString(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}

async function readExisting<T>(path: string, spec: Pick<KeyFileSpec<T>, 'parse'>): Promise<T> {
  const st = await stat(path); // follows symlinks (e.g. mounted secrets): the target's mode counts
  if (!st.isFile()) throw new InvalidKeyFileError(path, 'is not a regular file');
  if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) throw new KeyFilePermissionError(path, modeString(st.mode));
  if (process.platform !== 'win32' && (st.mode & 0o400) === 0) throw new KeyFilePermissionError(path, modeString(st.mode));
  const content = await readFile(path);
  return spec.parse(content, (rule) => {
    throw new InvalidKeyFileError(path, rule);
  });
}

/**
 * Reads an existing key file anywhere (owner-only permissions, as above), never creating it.
 * @throws KeyFilePermissionError, InvalidKeyFileError, or the file system's error (ENOENT when missing).
 */
export function readKeyFile<T>(path: string, parse: KeyFileSpec<T>['parse']): Promise<T> {
  return readExisting(path, { parse });
}

/**
 * Writes a new key file at `path` (mode 0600, fsynced, the folder's entry too), refusing to replace
 * anything: a file already there fails with EEXIST and is left as it was. As for creation above, the
 * content goes to a private temporary file first, so a half-written key is never seen under `path`.
 * The folder must exist.
 */
export async function createKeyFile(path: string, content: Buffer): Promise<void> {
  const dir = dirname(path);
  const tmp = await writePrivateTemp(dir, basename(path), content);
  try {
    await link(tmp, path);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  await syncFolder(dir);
}

/** A new private file (mode 0600 whatever the umask, fsynced) beside `name` in `dir`, holding `content`; returns its path. */
async function writePrivateTemp(dir: string, name: string, content: Buffer): Promise<string> {
  const tmp = join(dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return tmp;
}

/** Makes a link or rename in `dir` survive a crash. */
async function syncFolder(dir: string): Promise<void> {
  const folder = await open(dir, constants.O_RDONLY);
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}

export async function loadOrCreateKeyFile<T>(spec: KeyFileSpec<T>): Promise<LoadedKeyFile<T>> {
  const path = join(spec.dataDir, spec.file);
  try {
    return { value: await readExisting(path, spec), path, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(spec.dataDir, { recursive: true, mode: 0o700 });
  const { content, value } = spec.create();
  const tmp = await writePrivateTemp(spec.dataDir, spec.file, content);
  try {
    try {
      await link(tmp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // Another instance created it first: use theirs.
      return { value: await readExisting(path, spec), path, created: false };
    }
    return { value, path, created: true };
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Replaces (or creates) a key file atomically: the new content is written to a private temporary file
 * (mode 0600, fsynced) and renamed over the old one, so a reader sees the old file or the new one,
 * never a mix. The old content is gone afterwards. The data folder is created (0700) when missing.
 * @returns the file's path.
 */
export async function replaceKeyFile(dataDir: string, file: string, content: Buffer): Promise<string> {
  const path = join(dataDir, file);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const tmp = await writePrivateTemp(dataDir, file, content);
  try {
    await rename(tmp, path);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  // The rename itself must survive a crash too.
  await syncFolder(dataDir);
  return path;
}
