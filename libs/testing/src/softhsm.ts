// A throwaway SoftHSM2 token for tests of the pkcs11 KeyVault, initialised with softhsm2-util (Debian
// package softhsm2) under a label of its own. SoftHSM2 reads SOFTHSM2_CONF from the real environment
// when its library initialises: under jest, test/support/global-setup.js gives the run a private
// softhsm2.conf and token folder (a test's process.env is a copy, too late to change); run elsewhere,
// the helper makes one and sets it. Create the token before an adapter opens the library.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** What to tell when SoftHSM2 is missing (tests then skip, and say so). */
export const SOFTHSM_INSTALL_HINT = 'install the Debian package softhsm2 (apt-get install softhsm2)';

const MODULE_PATHS = ['/usr/lib/softhsm/libsofthsm2.so', '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so', '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so', '/usr/local/lib/softhsm/libsofthsm2.so'];

/** SoftHSM2's PKCS#11 library, or undefined when it is not installed. */
export function softHsmModulePath(): string | undefined {
  return MODULE_PATHS.find((path) => existsSync(path));
}

/** A binary on PATH (or in /usr/bin, /usr/local/bin), or undefined. */
export function binaryPath(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin'];
  return dirs.map((dir) => join(dir, name)).find((path) => existsSync(path));
}

export interface SoftHsmToken {
  readonly modulePath: string;
  readonly tokenLabel: string;
  /** The user PIN (a test secret). */
  readonly pin: string;
  /** The softhsm2.conf this token lives under (SOFTHSM2_CONF). */
  readonly conf: string;
  /** Deletes the token. Close every adapter using it first. */
  dispose(): void;
}

/** SOFTHSM2_CONF, made (a private folder) and set when unset. */
function softHsmConf(): string {
  const set = process.env.SOFTHSM2_CONF;
  if (set) return set;
  const dir = mkdtempSync(join(tmpdir(), 'lethe-softhsm-'));
  mkdirSync(join(dir, 'tokens'), { mode: 0o700 });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`, { mode: 0o600 });
  process.env.SOFTHSM2_CONF = conf;
  return conf;
}

/** A fresh initialised token with a random user PIN. Throws if SoftHSM2 is missing. */
export function createSoftHsmToken(label = `lethe-test-${randomBytes(4).toString('hex')}`): SoftHsmToken {
  const modulePath = softHsmModulePath();
  const util = binaryPath('softhsm2-util');
  if (!modulePath || !util) throw new Error(`SoftHSM2 is not installed: ${SOFTHSM_INSTALL_HINT}`);
  const conf = softHsmConf();
  const pin = randomBytes(6).toString('hex');
  const soPin = randomBytes(6).toString('hex');
  const run = (args: string[]) => execFileSync(util, args, { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: 'pipe', timeout: 30_000 });
  run(['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin]);
  return {
    modulePath,
    tokenLabel: label,
    pin,
    conf,
    dispose() {
      run(['--delete-token', '--token', label]);
    },
  };
}
