// A throwaway Azurite (Microsoft's Azure Storage emulator, npm package `azurite`, a dev dependency) for
// tests of the Azure Blob asset store: its blob service only, in memory, on a free loopback port,
// with Azurite's well-known development account. Test-only: that account's key is public.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';

/** What to tell when Azurite is missing (tests then skip, and say so). */
export const AZURITE_INSTALL_HINT = 'install the dev dependencies (npm install: the azurite package)';

/** Azurite's development account (documented by Microsoft; never a real account). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** Azurite's blob service entry point (its `azurite-blob` bin), or undefined when the package is not installed. */
export function azuritePath(): string | undefined {
  try {
    const main = join(createRequire(import.meta.url).resolve('azurite/package.json'), '..', 'dist', 'src', 'blob', 'main.js');
    return existsSync(main) ? main : undefined;
  } catch {
    return undefined;
  }
}

export interface Azurite {
  /** http://127.0.0.1:<port>/devstoreaccount1 */
  readonly blobEndpoint: string;
  /** A connection string for the development account on this instance. */
  readonly connectionString: string;
  /** What Azurite printed so far (for failure messages). */
  log(): string;
  /** SIGTERM, SIGKILL after 5 s; removes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts Azurite's blob service and waits until it listens.
 * @throws when the package is missing or it does not come up within 20 s.
 */
export async function startAzurite(): Promise<Azurite> {
  const main = azuritePath();
  if (main === undefined) throw new Error(`azurite not found: ${AZURITE_INSTALL_HINT}`);
  const dir = mkdtempSync(join(tmpdir(), 'lethe-azurite-'));
  const child = spawn(
    process.execPath,
    [main, '--blobHost', '127.0.0.1', '--blobPort', '0', '--inMemoryPersistence', '--skipApiVersionCheck', '--loose'],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AZURITE_ACCOUNTS: '' } },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += String(chunk)));
  child.stderr.on('data', (chunk) => (output += String(chunk)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`azurite did not listen within 20 s:\n${output}`)), 20_000);
      const look = () => {
        const match = /listens on (http:\/\/[0-9.]+:\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout.on('data', look);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`azurite exited (${code}) before listening:\n${output}`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const blobEndpoint = `${url}/${AZURITE_ACCOUNT}`;
  return {
    blobEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${blobEndpoint};`,
    log: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
