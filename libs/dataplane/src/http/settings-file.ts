// A settings file the http read probe reads at boot and again whenever it changes (a rotated secret, a
// tenant's new URL), without a restart. Boot refuses a file that breaks its rules; a file changed later
// into one that breaks them makes probes inconclusive until it is fixed (never the last good content:
// an operator who took a URL out meant it).
import { readFile, stat } from 'node:fs/promises';

/** The file breaks a rule; the message states the rule and never quotes the file. */
export class SettingsFileError extends Error {
  constructor(readonly rule: string) {
    super(rule);
    this.name = 'SettingsFileError';
  }
}

export interface SettingsFileOptions<T> {
  /** Checks and converts the content; throws SettingsFileError naming the rule (never the content). */
  readonly parse: (content: string) => T;
  /** Secret content: the file must be readable by its owner only (no group or other bits, e.g. 0600 or 0400). */
  readonly secret: boolean;
}

export class SettingsFile<T> {
  private loaded: { readonly version: string; readonly value: T } | undefined;

  private constructor(
    readonly path: string,
    private readonly options: SettingsFileOptions<T>,
  ) {}

  /** Reads and checks the file now (at boot). SettingsFileError when it cannot be read or breaks a rule. */
  static async open<T>(path: string, options: SettingsFileOptions<T>): Promise<SettingsFile<T>> {
    const file = new SettingsFile(path, options);
    await file.current();
    return file;
  }

  /** The content, read again when the file changed (by inode, size or modification time). */
  async current(): Promise<T> {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(this.path);
    } catch (error) {
      throw new SettingsFileError(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    if (!info.isFile()) throw new SettingsFileError('must be a file');
    if (this.options.secret && (info.mode & 0o077) !== 0) {
      throw new SettingsFileError(`must be readable by its owner only (mode ${(info.mode & 0o777).toString(8)}; chmod 600)`);
    }
    const version = `${info.ino}:${info.size}:${info.mtimeMs}`;
    if (this.loaded?.version === version) return this.loaded.value;
    let content: string;
    try {
      content = await readFile(this.path, 'utf8');
    } catch (error) {
      throw new SettingsFileError(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    this.loaded = undefined;
    const value = this.options.parse(content);
    this.loaded = { version, value };
    return value;
  }
}
