// LETHE_VAULT=pkcs11 refuses to start, naming what to fix, when: the pkcs11js binding is not installed
// (the engine as a real process on a machine without it: exit 2, saying how to install it), the PIN
// file is readable by others, or the token holds none of the key versions the database recorded
// (another token). The last two in this process, on SoftHSM2 tokens; skipped, saying what to install,
// without SoftHSM2 or the binding.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binaryPath, createSoftHsmToken, createTestDatabase, SOFTHSM_INSTALL_HINT, softHsmModulePath, type SoftHsmToken, type TestDatabase } from '@lethe/testing';
import { loadPkcs11Binding, Pkcs11SettingError, PKCS11_BINDING_INSTALL_HINT } from '@lethe/vault';
import { loadConfig } from '../../apps/engine/src/config/engine-config.js';
import { startEngine } from '../../apps/engine/src/engine.js';
import { createLogger } from '../../apps/engine/src/logging/logger.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const binding = await loadPkcs11Binding().catch(() => undefined);
const missing = [softHsmModulePath() && binaryPath('softhsm2-util') ? undefined : SOFTHSM_INSTALL_HINT, binding ? undefined : PKCS11_BINDING_INSTALL_HINT].filter(Boolean);
if (missing.length > 0) console.warn(`test/e2e/pkcs11-boot.int-spec.ts: token cases SKIPPED: ${missing.join('; ')}`);
const describeWithToken = missing.length === 0 ? describe : describe.skip;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const tmp = () => mkdtempSync(join(tmpdir(), 'lethe-pkcs11-boot-'));

it('exits 2 without the pkcs11js binding, naming LETHE_VAULT and how to install it', async () => {
  const child = spawn(process.execPath, ['--import', './test/support/without-pkcs11js.js', '--import', '@swc-node/register/esm-register', 'apps/engine/src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      DATABASE_URL: db.url,
      PORT: '0',
      LETHE_DATA_DIR: tmp(),
      LETHE_VAULT: 'pkcs11',
      LETHE_PKCS11_MODULE: '/usr/lib/softhsm/libsofthsm2.so',
      LETHE_PKCS11_TOKEN_LABEL: 'lethe',
      LETHE_PKCS11_PIN: 'pin-not-to-be-shown',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += String(d)));
  child.stderr.on('data', (d) => (output += String(d)));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(output).toContain('Lethe refuses to start: LETHE_VAULT=pkcs11 needs the PKCS#11 binding, which cannot be loaded (the package pkcs11js is not installed)');
  expect(output).toContain('npm install');
  expect(output).toContain('LETHE_VAULT=local');
  expect(output).not.toContain('pin-not-to-be-shown');
  expect(code).toBe(2);
}, 180_000);

describeWithToken('on SoftHSM2 tokens', () => {
  let tokenA: SoftHsmToken;
  let tokenB: SoftHsmToken;
  beforeAll(() => {
    // Both before the library is first loaded in this process: it lists the tokens when it initialises.
    tokenA = createSoftHsmToken();
    tokenB = createSoftHsmToken();
  });
  afterAll(() => {
    tokenA?.dispose();
    tokenB?.dispose();
  });

  const env = (token: SoftHsmToken, pin: Record<string, string>) => ({
    DATABASE_URL: db.url,
    PORT: '0',
    LETHE_DATA_DIR: tmp(),
    LETHE_MASTER_KEY: MASTER_KEY,
    LETHE_TOKENS: `operator:${OPERATOR}`,
    LETHE_VAULT: 'pkcs11',
    LETHE_PKCS11_MODULE: token.modulePath,
    LETHE_PKCS11_TOKEN_LABEL: token.tokenLabel,
    ...pin,
  });
  const MASTER_KEY = randomBytes(32).toString('base64');
  const OPERATOR = `op-${randomBytes(12).toString('hex')}`;
  const start = (settings: Record<string, string>) => startEngine(loadConfig(settings), { logger: createLogger('silent') });

  it('refuses a PIN file others can read, naming LETHE_PKCS11_PIN_FILE', async () => {
    const pinFile = join(tmp(), 'pin');
    writeFileSync(pinFile, tokenA.pin, { mode: 0o644 });
    chmodSync(pinFile, 0o644);
    const error = (await start(env(tokenA, { LETHE_PKCS11_PIN_FILE: pinFile })).catch((e: Error) => e)) as Error;
    expect(error).toBeInstanceOf(Pkcs11SettingError);
    expect(error.message).toContain(`LETHE_PKCS11_PIN_FILE: refusing ${pinFile}: its mode is 0644, it must be 0600`);
  });

  it('refuses a token that holds none of the key versions the database recorded, naming LETHE_PKCS11_TOKEN_LABEL', async () => {
    const first = await start(env(tokenA, { LETHE_PKCS11_PIN: tokenA.pin }));
    try {
      const onboarded = await fetch(`${first.url}/v1/tenants`, {
        method: 'POST',
        headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tenantId: 'acme', jurisdiction: 'GB', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }] }),
      });
      expect(onboarded.status).toBe(201);
    } finally {
      await first.close();
    }
    const error = (await start(env(tokenB, { LETHE_PKCS11_PIN: tokenB.pin })).catch((e: Error) => e)) as Error;
    expect(error).toBeInstanceOf(Pkcs11SettingError);
    expect(error.message).toMatch(new RegExp(`^LETHE_PKCS11_TOKEN_LABEL: the token "${tokenB.tokenLabel}" holds none of the newest key versions this database recorded \\(vkv-`));
    // The right token still starts.
    const again = await start(env(tokenA, { LETHE_PKCS11_PIN: tokenA.pin }));
    await again.close();
  }, 60_000);
});
