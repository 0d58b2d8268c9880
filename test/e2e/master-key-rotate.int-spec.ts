/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// `lethe master-key rotate` end to end on real PostgreSQL: a fleet made through the engine's API (tenants
// with managed keys, a rotated key, a platform-key backup, a staging asset, a customer-key backup) is
// moved to a new master key by the real CLI. Before that, the command refuses while the engine runs and
// with a wrong current key, changing nothing. After it, the engine started with the new key restores,
// rotates and shreds as before; started with the old key it refuses (exit 2). No key material appears
// in anything the command prints.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { MasterKey, masterKeyCheckValue } from '@lethe/vault';
import { loadConfig } from '../../apps/engine/src/config/engine-config.js';
import { startEngine, type RunningEngine } from '../../apps/engine/src/engine.js';
import { createLogger } from '../../apps/engine/src/logging/logger.js';
import { rotateMasterKeyCommand } from '../../apps/cli/src/master-key-rotate.js';
import { apiClient } from '../support/http-client.js';
import { ENGINE_BOOT_TIMEOUT_MS, spawnEngine, waitUntil, type EngineProcess } from '../support/engine-process.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The CLI compiles its TypeScript on the fly: tens of seconds on a loaded 2-core machine. */
const CLI_TIMEOUT_MS = 150_000;
const T = {
  op: `op-${randomBytes(10).toString('hex')}`,
  admin: `ad-${randomBytes(10).toString('hex')}`,
  reader: `rd-${randomBytes(10).toString('hex')}`,
  cs: `cs-${randomBytes(10).toString('hex')}`,
};
const OLD_KEY = randomBytes(32);

let db: TestDatabase;
let pool: pg.Pool;
let engine: RunningEngine | undefined;
const dirs: string[] = [];
const children: EngineProcess[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lethe-mk-rotate-'));
  dirs.push(dir);
  return dir;
}

function env(masterKey: Buffer | string): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    LETHE_DATA_DIR: tempDir(),
    LETHE_MASTER_KEY: typeof masterKey === 'string' ? masterKey : masterKey.toString('base64'),
    LETHE_TOKENS: `operator:${T.op},admin:${T.admin},ops-reader:${T.reader},contract-system:${T.cs}`,
  };
}

async function start(masterKey: Buffer | string): Promise<ReturnType<typeof apiClient>> {
  const config = loadConfig({
    ...env(masterKey),
    PORT: '0',
    LETHE_CLOCK: 'manual',
    // Monday 1 March 2027, 09:00 UTC.
    LETHE_CLOCK_START: '2027-03-01T09:00:00Z',
    LETHE_DEADLINE_POLL_MS: '100',
    LETHE_INSTANCE_ID: 'mk-rotate',
  });
  engine = await startEngine(config, { logger: createLogger('warn', new Writable({ write: (_c, _e, done) => done() })) });
  return apiClient(engine.url);
}

async function stop(): Promise<void> {
  await engine?.close();
  engine = undefined;
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', reportIdleError);
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  await stop();
  await pool?.end();
  await db?.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Every sealed byte and the check value: what must not change when the command refuses. */
async function sealedState(): Promise<string[]> {
  const res = await pool.query<{ row: string }>(
    `select version_id || ':' || coalesce(encode(wrapped_material, 'hex'), 'null') as row from vault_key_versions
     union all select tenant_id || ':' || asset_id || ':' || coalesce(encode(sealed_content, 'hex'), 'null') from dataplane_assets
     union all select 'check:' || encode(check_value, 'hex') from vault_master_key_check
     order by 1`,
  );
  return res.rows.map((r) => r.row);
}

/** The command run in this process, its output captured. */
async function rotateInProcess(currentKey: Buffer, newKeyPath: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _e, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await rotateMasterKeyCommand(
    loadConfig(env(currentKey)),
    { kind: 'generate', path: newKeyPath },
    { stdout: sink((s) => (stdout += s)), stderr: sink((s) => (stderr += s)) },
  );
  return { code, stdout, stderr };
}

/** The real CLI, without blocking this process. */
function cli(args: string[], extra: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/lethe.js', ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LETHE_LOG_LEVEL: 'warn', ...extra },
      timeout: CLI_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Every encoding of a key, and of its check value, that must never be printed. */
function encodings(key: Buffer): string[] {
  const kcv = masterKeyCheckValue(MasterKey.fromBytes(key));
  return [key.toString('base64'), key.toString('base64url'), key.toString('hex'), kcv.toString('hex'), kcv.toString('base64')];
}

it('rotates a fleet to a new master key: refused while the engine runs or with a wrong key; afterwards the new key works and the old one is refused', async () => {
  // A fleet, through the API.
  let api = await start(OLD_KEY);
  const onboard = (tenantId: string, backupKeyMode: 'customer' | 'platform') =>
    api('POST', '/v1/tenants', T.op, { tenantId, jurisdiction: 'GB-ENG', keyCustody: 'managed', backupKeyMode, databases: [{ databaseId: 'db-1' }] });
  const backup = (tenantId: string, backupId: string) =>
    api('POST', `/v1/tenants/${tenantId}/backups`, T.op, {
      backupId,
      databaseId: 'db-1',
      kind: 'full',
      coveredFrom: '2027-03-01T09:00:00Z',
      takenAt: '2027-03-01T09:00:00Z',
      expiresAt: '2027-06-01T00:00:00Z',
    });
  const restoreCheck = (tenantId: string, backupId: string) => api('POST', `/v1/tenants/${tenantId}/backups/${backupId}/restore-check`, T.op);
  expect((await onboard('plat', 'platform')).status).toBe(201);
  expect((await backup('plat', 'nightly-p')).status).toBe(201);
  expect((await api('POST', '/v1/tenants/plat/staging-assets', T.op, { assetId: 'export-1' })).status).toBe(201);
  expect((await onboard('cust', 'customer')).status).toBe(201);
  expect((await backup('cust', 'nightly-c')).status).toBe(201);
  expect((await api('POST', '/v1/tenants/cust/keys/rotate', T.op)).status).toBe(202);
  expect((await onboard('third', 'customer')).status).toBe(201);
  await waitUntil(async () => (await pool.query('select 1 from vault_key_versions')).rowCount === 4, 10_000, 'four key versions');
  expect((await restoreCheck('plat', 'nightly-p')).body).toEqual({ restorable: true, protection: 'platform-key', keyVersionId: null });
  const before = await sealedState();
  expect(before.filter((r) => r.startsWith('plat:'))).toHaveLength(2);

  // While the engine runs: refused, nothing changed, no key file written.
  const keyDir = tempDir();
  const newKeyPath = join(keyDir, 'new-master.key');
  const whileRunning = await rotateInProcess(OLD_KEY, newKeyPath);
  expect(whileRunning).toMatchObject({ code: 1, stdout: '' });
  expect(whileRunning.stderr).toContain('refused: engines are running against this database (1 session holds the engine lock)');
  expect(existsSync(newKeyPath)).toBe(false);
  expect(await sealedState()).toEqual(before);
  await stop();

  // A wrong current key: refused, nothing changed.
  const wrong = await rotateInProcess(randomBytes(32), newKeyPath);
  expect(wrong.code).toBe(1);
  expect(wrong.stderr).toContain("refused: the current master key given (LETHE_MASTER_KEY, or master.key in LETHE_DATA_DIR) does not match this database's check value");
  expect(wrong.stderr).toContain('nothing was changed');
  expect(existsSync(newKeyPath)).toBe(false);
  expect(await sealedState()).toEqual(before);

  // The real command, engines stopped.
  const rotated = await cli(['master-key', 'rotate', '--generate-into', newKeyPath], env(OLD_KEY));
  expect({ status: rotated.status, stderr: rotated.stderr }).toMatchObject({ status: 0 });
  expect(rotated.stdout).toContain('re-sealed 4 tenant key versions and 2 platform-key assets under the new key');
  expect(rotated.stdout).toContain(`the new key is in ${newKeyPath} (mode 0600)`);
  expect(rotated.stdout).toContain('Keep the old master key');
  expect(statSync(newKeyPath).mode & 0o777).toBe(0o600);
  const newKey = Buffer.from(readFileSync(newKeyPath, 'utf8').trim(), 'base64');
  expect(newKey).toHaveLength(32);
  const printed = rotated.stdout + rotated.stderr + whileRunning.stdout + whileRunning.stderr + wrong.stdout + wrong.stderr;
  for (const secret of [...encodings(OLD_KEY), ...encodings(newKey)]) expect(printed).not.toContain(secret);
  const after = await sealedState();
  // Every sealed row and the check value changed.
  expect(after.filter((row) => before.includes(row))).toEqual([]);

  // The old key: the engine refuses to start (exit 2), while one started with the new key works.
  const stale = spawnEngine({ ...env(OLD_KEY), PORT: '0' });
  children.push(stale);
  api = await start(newKey.toString('base64'));
  expect((await restoreCheck('plat', 'nightly-p')).body).toEqual({ restorable: true, protection: 'platform-key', keyVersionId: null });
  expect((await restoreCheck('cust', 'nightly-c')).body).toMatchObject({ restorable: true, protection: 'customer-key' });
  const rotation = await api('POST', '/v1/tenants/third/keys/rotate', T.op);
  expect(rotation.status).toBe(202);
  await waitUntil(
    async () => ((await api('GET', '/v1/tenants/third/keys', T.reader)).body?.databases ?? []).every((d: any) => d.keyVersionId === rotation.body.keyVersionId),
    10_000,
    're-protection onto the new version',
  );
  // A shred of the platform tenant: its key destroyed, its backup and staging asset purged, verified.
  const request = await api('POST', '/v1/tenants/plat/deletion-requests', T.cs, { requestId: 'bye' });
  expect(request.status).toBe(202);
  await waitUntil(
    async () => (await pool.query(`select 1 from lethe_deadlines where kind = 'shred-step' and status = 'pending' and payload->>'tenantId' = 'plat'`)).rowCount === 1,
    10_000,
    'the shred timer',
  );
  const executeAt = new Date(Date.parse(request.body.executeAt) + 1000).toISOString();
  expect((await api('POST', '/v1/admin/clock', T.admin, { now: executeAt })).status).toBe(200);
  await waitUntil(async () => (await api('GET', '/v1/tenants/plat', T.reader)).body?.status === 'verified', 20_000, 'the shred verified');
  expect((await restoreCheck('plat', 'nightly-p')).body).toMatchObject({ restorable: false, reason: 'asset-purged' });

  const refused = await stale.exited;
  expect(refused.code).toBe(2);
  expect(stale.output()).toContain('LETHE_MASTER_KEY is set to another master key');
}, ENGINE_BOOT_TIMEOUT_MS + CLI_TIMEOUT_MS);
