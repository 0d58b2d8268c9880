import { chmodSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsFile, SettingsFileError } from './settings-file.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lethe-settings-file-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seq = 0;
function file(content: string, mode = 0o600): string {
  const path = join(dir, `f-${++seq}`);
  writeFileSync(path, content, { mode });
  chmodSync(path, mode);
  return path;
}
/** Counts parses, so a test can tell a re-read from the cached value. */
function counting() {
  const parsed: string[] = [];
  return {
    parsed,
    parse: (content: string) => {
      if (content.includes('bad')) throw new SettingsFileError('must not say bad');
      parsed.push(content);
      return content.trim();
    },
  };
}

describe('SettingsFile', () => {
  it('given a secret file readable by its owner only, when opened and read again unchanged, then it is parsed once', async () => {
    const path = file('one\n');
    const p = counting();
    const f = await SettingsFile.open(path, { parse: p.parse, secret: true });
    expect(await f.current()).toBe('one');
    expect(await f.current()).toBe('one');
    expect(p.parsed).toHaveLength(1);
    chmodSync(path, 0o400);
    expect(await f.current()).toBe('one');
  });

  it.each([0o640, 0o604, 0o644, 0o666])('given a secret file of mode %o, when opened, then it is refused naming the mode', async (mode) => {
    const path = file('one', mode);
    await expect(SettingsFile.open(path, { parse: (c) => c, secret: true })).rejects.toThrow(
      new SettingsFileError(`must be readable by its owner only (mode ${mode.toString(8)}; chmod 600)`),
    );
    // A file that is not secret may be readable by others.
    expect(await (await SettingsFile.open(path, { parse: (c) => c, secret: false })).current()).toBe('one');
  });

  it('given a missing path or a folder, when opened, then it is refused', async () => {
    await expect(SettingsFile.open(join(dir, 'nope'), { parse: (c) => c, secret: false })).rejects.toThrow(new SettingsFileError('cannot be read (ENOENT)'));
    await expect(SettingsFile.open(dir, { parse: (c) => c, secret: false })).rejects.toThrow(new SettingsFileError('must be a file'));
  });

  it('given an open file, when it changes, then the new content is used; when it then breaks its rules, reading fails until it is fixed', async () => {
    const path = file('one');
    const p = counting();
    const f = await SettingsFile.open(path, { parse: p.parse, secret: true });
    writeFileSync(path, 'two and more');
    expect(await f.current()).toBe('two and more');
    writeFileSync(path, 'bad!');
    await expect(f.current()).rejects.toThrow('must not say bad');
    await expect(f.current()).rejects.toThrow('must not say bad');
    writeFileSync(path, 'three');
    // Same size as before: the modification time tells the change.
    utimesSync(path, new Date(), new Date(Date.now() + 5_000));
    expect(await f.current()).toBe('three');
    chmodSync(path, 0o644);
    await expect(f.current()).rejects.toThrow('must be readable by its owner only');
  });
});
