// The token's user PIN, from LETHE_PKCS11_PIN or from the file LETHE_PKCS11_PIN_FILE names. The file
// must be readable by its owner only (0600 or 0400), as the key files in the data folder: any group or
// other bit is refused, naming the setting. The PIN itself is never shown.
import { readFile, stat } from 'node:fs/promises';
import { Pkcs11SettingError } from './pkcs11-errors.js';

export type Pkcs11PinSource = { readonly kind: 'env'; readonly pin: string } | { readonly kind: 'file'; readonly path: string };

export interface LoadedPin {
  readonly pin: string;
  /** The setting it came from, to name when the token refuses it. */
  readonly setting: 'LETHE_PKCS11_PIN' | 'LETHE_PKCS11_PIN_FILE';
}

/** Pkcs11SettingError naming LETHE_PKCS11_PIN_FILE when the file is missing, open to others or empty. */
export async function loadPkcs11Pin(source: Pkcs11PinSource): Promise<LoadedPin> {
  if (source.kind === 'env') return { pin: source.pin, setting: 'LETHE_PKCS11_PIN' };
  const setting = 'LETHE_PKCS11_PIN_FILE';
  let mode: number;
  try {
    const st = await stat(source.path); // follows symlinks (mounted secrets): the target's mode counts
    if (!st.isFile()) throw new Pkcs11SettingError(setting, `${source.path} is not a regular file`);
    mode = st.mode;
  } catch (error) {
    if (error instanceof Pkcs11SettingError) throw error;
    throw new Pkcs11SettingError(setting, `${source.path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (process.platform !== 'win32' && ((mode & 0o077) !== 0 || (mode & 0o400) === 0)) {
    const found = `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
    throw new Pkcs11SettingError(setting, `refusing ${source.path}: its mode is ${found}, it must be 0600 (owner read/write only); run: chmod 600 ${source.path}`);
  }
  let content: string;
  try {
    content = await readFile(source.path, 'utf8');
  } catch (error) {
    throw new Pkcs11SettingError(setting, `${source.path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  // One line; the line break an editor or `echo` adds is not part of the PIN.
  const pin = content.replace(/\r?\n$/, '');
  if (pin === '') throw new Pkcs11SettingError(setting, `${source.path} is empty (the PIN is not shown)`);
  return { pin, setting };
}
