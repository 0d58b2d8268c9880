// Deletion certificates are issued once, at verification, and served as stored (issue 7, fault 10):
// engine A verifies a shred and issues its certificate; the signing key is rotated with the CLI and
// engine B starts on the rotated data folder, then engine C on a fresh one (same database, same master
// key). Both serve the same bytes, the old key stays listed with its validity, a new certificate names
// the new key, and `lethe certificate verify` picks the key by id and refuses without a trusted key.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { canonicalJson } from '@lethe/lifecycle';
import { createTestDatabase, type TestDatabase, reportIdleError } from '@lethe/testing';
import { apiClient } from '../support/http-client.js';
import { listeningUrl, spawnEngine, waitUntil, type EngineProcess } from '../support/engine-process.js';

const TOKENS = {
  operator: `op-${randomBytes(12).toString('hex')}`,
  contract: `cs-${randomBytes(12).toString('hex')}`,
  admin: `ad-${randomBytes(12).toString('hex')}`,
  reader: `rd-${randomBytes(12).toString('hex')}`,
};
const MASTER_KEY = randomBytes(32).toString('base64');

let db: TestDatabase;
let pool: pg.Pool;
const dirs: string[] = [];
const engines: EngineProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
});

afterAll(async () => {
  for (const e of engines) e.kill('SIGKILL');
  await Promise.all(engines.map((e) => e.exited));
  await pool?.end();
  await db?.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lethe-cert-'));
  dirs.push(dir);
  return dir;
}

async function startEngine(name: string, dataDir: string, clockStart: string) {
  const engine = spawnEngine({
    DATABASE_URL: db.url,
    PORT: '0',
    LETHE_INSTANCE_ID: name,
    LETHE_DATA_DIR: dataDir,
    LETHE_MASTER_KEY: MASTER_KEY,
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: clockStart,
    LETHE_DEADLINE_POLL_MS: '100',
    LETHE_TOKENS: `operator:${TOKENS.operator},contract-system:${TOKENS.contract},admin:${TOKENS.admin},ops-reader:${TOKENS.reader}`,
  });
  engines.push(engine);
  return { engine, api: apiClient(await listeningUrl(engine, name)) };
}

type Api = Awaited<ReturnType<typeof startEngine>>['api'];

async function certificateOf(api: Api, tenantId: string): Promise<string> {
  let text = '';
  await waitUntil(
    async () => {
      const res = await api('GET', `/v1/tenants/${tenantId}/deletion-certificate`, TOKENS.reader);
      text = res.text;
      return res.status === 200;
    },
    20_000,
    `the certificate of ${tenantId}`,
  );
  return text;
}

async function timerPending(tenantId: string): Promise<void> {
  await waitUntil(
    async () => (await pool.query(`select 1 from lethe_deadlines where kind = 'shred-step' and status = 'pending' and payload->>'tenantId' = $1`, [tenantId])).rowCount === 1,
    15_000,
    `the shred timer of ${tenantId}`,
  );
}

async function issuedEvents(tenantId: string): Promise<{ certificateId: string; sha256: string; keyId: string; at: string }[]> {
  const res = await pool.query(`select data from lethe_events where stream_id = $1 and event_type = 'DeletionCertificateIssued'`, [`tenant-${tenantId}`]);
  return res.rows.map((r) => r.data);
}

function cli(env: Record<string, string>, ...args: string[]) {
  return spawnSync(process.execPath, ['--import', '@swc-node/register/esm-register', 'apps/cli/src/main.ts', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
  });
}

it('issues the certificate once at verification, serves the same bytes after a key rotation and a new data folder, and verifies by key id', async () => {
  const files = tempDir();
  const dataA = tempDir();
  const onboard = (api: Api, tenantId: string) =>
    api('POST', '/v1/tenants', TOKENS.operator, { tenantId, jurisdiction: 'GB-ENG', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }] });

  // --- Engine A: a shred verified on Wed 30 Dec 2026, and its certificate issued.
  const a = await startEngine('engine-a', dataA, '2026-12-21T09:00:00Z');
  expect((await onboard(a.api, 'acme')).status).toBe(201);
  expect((await onboard(a.api, 'beta')).status).toBe(201);
  expect((await a.api('POST', '/v1/tenants/acme/terminations', TOKENS.contract, { terminationId: 't-1', contractId: 'c-1', effectiveAt: '2026-12-23T17:00:00Z' })).status).toBe(202);
  await timerPending('acme');
  expect((await a.api('POST', '/v1/admin/clock', TOKENS.admin, { now: '2026-12-30T12:00:00Z' })).status).toBe(200);
  const issuedByA = await certificateOf(a.api, 'acme');
  const keysA = (await a.api('GET', '/v1/certificate-keys')).body.keys;
  expect(keysA).toHaveLength(1);
  const oldKey = keysA[0];
  expect(oldKey).toMatchObject({ algorithm: 'Ed25519', validUntil: null });
  const doc = JSON.parse(issuedByA);
  expect(doc.certificate).toMatchObject({ format: 'lethe-deletion-certificate/v3', tenantId: 'acme', signingKeyId: oldKey.keyId, issuedAt: '2026-12-30T12:00:00.000Z' });
  // The local vault purges on destroy: nothing is left to expect.
  expect(doc.certificate.keyMaterial).toEqual({ unusableAt: doc.certificate.keysDestroyedAt, purgedAt: doc.certificate.keysDestroyedAt, purgeExpectedAt: null });
  expect(doc.signature.keyId).toBe(oldKey.keyId);
  // The issuance is an event naming the hash of the signed bytes and the key, and nothing more.
  const sha256 = createHash('sha256').update(canonicalJson(doc.certificate)).digest('hex');
  expect(await issuedEvents('acme')).toEqual([{ shredId: 'termination:t-1', certificateId: doc.certificate.certificateId, sha256, keyId: oldKey.keyId, at: '2026-12-30T12:00:00.000Z' }]);
  a.engine.kill('SIGKILL');
  await a.engine.exited;

  // --- Rotate the signing key in A's data folder with the CLI.
  const signingKeyFile = join(dataA, 'signing.key');
  const before = readFileSync(signingKeyFile, 'utf8');
  const rotated = cli({ LETHE_DATA_DIR: dataA, DATABASE_URL: db.url }, 'signing-key', 'rotate');
  expect(rotated.stderr).toBe('');
  expect(rotated.status).toBe(0);
  expect(rotated.stdout).toContain(oldKey.keyId);
  expect(readFileSync(signingKeyFile, 'utf8')).not.toBe(before);
  expect(statSync(signingKeyFile).mode & 0o777).toBe(0o600);
  // With LETHE_SIGNING_KEY set, the file is not what signs: refused.
  const refused = cli({ LETHE_DATA_DIR: dataA, LETHE_SIGNING_KEY: before }, 'signing-key', 'rotate');
  expect(refused.status).toBe(2);
  expect(refused.stderr).toContain('LETHE_SIGNING_KEY');
  expect(refused.stderr).not.toContain('PRIVATE KEY');

  // --- Engine B on the rotated data folder: the same bytes, both keys listed.
  const b = await startEngine('engine-b', dataA, '2027-01-04T09:00:00Z');
  expect(await certificateOf(b.api, 'acme')).toBe(issuedByA);
  const keysB = (await b.api('GET', '/v1/certificate-keys')).body.keys;
  expect(keysB).toEqual([
    { ...oldKey, validUntil: '2027-01-04T09:00:00.000Z' },
    expect.objectContaining({ algorithm: 'Ed25519', validFrom: '2027-01-04T09:00:00.000Z', validUntil: null }),
  ]);
  const newKey = keysB[1];
  expect(newKey.keyId).not.toBe(oldKey.keyId);
  expect((await b.api('GET', '/v1/certificate-key')).body).toEqual(newKey);
  // A shred verified now is certified with the new key.
  expect((await b.api('POST', '/v1/tenants/beta/deletion-requests', TOKENS.contract, { requestId: 'r-beta' })).status).toBe(202);
  await timerPending('beta');
  expect((await b.api('POST', '/v1/admin/clock', TOKENS.admin, { now: '2027-01-07T12:00:00Z' })).status).toBe(200);
  const beta = await certificateOf(b.api, 'beta');
  expect(JSON.parse(beta).certificate.signingKeyId).toBe(newKey.keyId);
  b.engine.kill('SIGKILL');
  await b.engine.exited;

  // --- Engine C on a fresh data folder (it generates yet another signing key): still the same bytes.
  const c = await startEngine('engine-c', tempDir(), '2027-01-08T09:00:00Z');
  expect(await certificateOf(c.api, 'acme')).toBe(issuedByA);
  expect(await certificateOf(c.api, 'beta')).toBe(beta);
  const keysC = await c.api('GET', '/v1/certificate-keys');
  expect(keysC.body.keys.map((k: { keyId: string }) => k.keyId)).toEqual([oldKey.keyId, newKey.keyId, expect.any(String)]);
  // Issued exactly once each, across three engines. B was killed right after serving beta's stored
  // bytes, possibly before its issuer appended the event: C's issuer retries from ShredVerified, finds
  // the stored row and records the issuance then, once.
  await waitUntil(async () => (await issuedEvents('beta')).length > 0, 20_000, 'the issuance of beta to be recorded');
  expect(await issuedEvents('acme')).toHaveLength(1);
  expect(await issuedEvents('beta')).toEqual([expect.objectContaining({ keyId: newKey.keyId, sha256: createHash('sha256').update(canonicalJson(JSON.parse(beta).certificate)).digest('hex') })]);
  expect((await pool.query('select tenant_id from lethe_certificates order by tenant_id')).rows).toEqual([{ tenant_id: 'acme' }, { tenant_id: 'beta' }]);
  // No private key in the database.
  const dump = await pool.query(`select string_agg(public_key_pem, '') as t from lethe_signing_keys`);
  expect(dump.rows[0].t).not.toContain('PRIVATE KEY');

  // --- The CLI: by key id from the keys file, old and new certificates alike.
  writeFileSync(join(files, 'acme.json'), issuedByA);
  writeFileSync(join(files, 'beta.json'), beta);
  writeFileSync(join(files, 'keys.json'), keysC.text);
  writeFileSync(join(files, 'current.json'), (await c.api('GET', '/v1/certificate-key')).text);
  writeFileSync(join(files, 'old.pem'), oldKey.pem);
  const tampered = JSON.parse(issuedByA);
  tampered.certificate.verifiedAt = '2026-12-29T12:00:00.000Z';
  writeFileSync(join(files, 'tampered.json'), JSON.stringify(tampered));
  const verify = (...args: string[]) => cli({}, 'certificate', 'verify', ...args);

  const old = verify(join(files, 'acme.json'), '--keys', join(files, 'keys.json'));
  expect(old.stdout).toContain(`VALID: deletion certificate for tenant acme`);
  expect(old.stdout).toContain(oldKey.keyId);
  expect(old.status).toBe(0);
  expect(verify(join(files, 'beta.json'), '--keys', join(files, 'keys.json')).status).toBe(0);
  expect(verify(join(files, 'acme.json'), '--public-key', join(files, 'old.pem')).status).toBe(0);
  const wrongKey = verify(join(files, 'acme.json'), '--public-key', join(files, 'current.json'));
  expect(wrongKey.status).toBe(1);
  expect(wrongKey.stderr).toContain(`INVALID: signed by key ${oldKey.keyId}`);
  const altered = verify(join(files, 'tampered.json'), '--keys', join(files, 'keys.json'));
  expect(altered.status).toBe(1);
  expect(altered.stderr).toContain('INVALID');
  const unpinned = verify(join(files, 'acme.json'));
  expect(unpinned.status).toBe(2);
  expect(unpinned.stdout).not.toContain('VALID');
  expect(unpinned.stderr).toContain('refusing to verify without a trusted key');
}, 300_000);
