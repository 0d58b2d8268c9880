// Crypto-shredding end to end over HTTP, on real PostgreSQL, with the manual clock: onboarding,
// terminations and deletion requests, the shred at executeAt, verification, certificates, and
// the ways callers get it wrong. Also scans every event, log line and response for key bytes.
import { createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { PostgresEventStore } from '@lethe/eventstore';
import { verifyCertificate } from '@lethe/lifecycle';
import { createTestDatabase, type TestDatabase, reportIdleError } from '@lethe/testing';
import { LocalKeyVault, loadMasterKey, type KeyVault } from '@lethe/vault';
import { ManualClock } from '@lethe/clock';
import { LocalDataPlane, platformKeyFrom } from '@lethe/dataplane';
import { loadConfig } from '../../apps/engine/src/config/engine-config.js';
import { startEngine, type RunningEngine } from '../../apps/engine/src/engine.js';
import { createLogger } from '../../apps/engine/src/logging/logger.js';
import { apiClient, type ApiResponse } from '../support/http-client.js';
import { waitUntil } from '../support/engine-process.js';

const TOKENS = {
  operator: `op-${randomBytes(12).toString('hex')}`,
  contract: `cs-${randomBytes(12).toString('hex')}`,
  admin: `ad-${randomBytes(12).toString('hex')}`,
  reader: `rd-${randomBytes(12).toString('hex')}`,
};
const MASTER_KEY = randomBytes(32);

let db: TestDatabase;
let pool: pg.Pool;
let engine: RunningEngine;
let api: ReturnType<typeof apiClient>;
const logLines: string[] = [];
const responses: ApiResponse[] = [];
/** destroyKey fails this many more times for these tenants' keys (vault outage). */
const vaultOutage = new Map<string, number>();
const keyOwners = new Map<string, string>();

function flakyVault(inner: KeyVault): KeyVault {
  return {
    capabilities: inner.capabilities,
    createKey: async (tenantId) => {
      const key = await inner.createKey(tenantId);
      keyOwners.set(key.keyId, tenantId);
      return key;
    },
    createVersion: (k, r) => inner.createVersion(k, r),
    listVersions: (k) => inner.listVersions(k),
    wrap: (v, p) => inner.wrap(v, p),
    unwrap: (v, w) => inner.unwrap(v, w),
    disable: (v) => inner.disable(v),
    enable: (v) => inner.enable(v),
    destroy: (v) => inner.destroy(v),
    destroyKey: async (keyId) => {
      const tenant = keyOwners.get(keyId) ?? '';
      const left = vaultOutage.get(tenant) ?? 0;
      if (left > 0) {
        vaultOutage.set(tenant, left - 1);
        const error = new Error('vault unavailable');
        error.name = 'VaultUnavailableError';
        throw error;
      }
      return inner.destroyKey(keyId);
    },
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
  const dataDir = mkdtempSync(join(tmpdir(), 'lethe-e2e-'));
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    LETHE_DATA_DIR: dataDir,
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: '2026-12-21T09:00:00Z',
    LETHE_DEADLINE_POLL_MS: '100',
    LETHE_MASTER_KEY: MASTER_KEY.toString('base64'),
    LETHE_INSTANCE_ID: 'e2e',
    LETHE_TOKENS: `operator:${TOKENS.operator},contract-system:${TOKENS.contract},admin:${TOKENS.admin},ops-reader:${TOKENS.reader}`,
  });
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  engine = await startEngine(config, { logger: createLogger('debug', sink), decorateVault: flakyVault });
  api = apiClient(engine.url, (r) => responses.push(r));
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await pool?.end();
  await db?.drop();
});

/** The data plane as the engine has it (same database, same master key), to add assets to. */
async function platformDataPlane(): Promise<LocalDataPlane> {
  const masterKey = await loadMasterKey({ env: MASTER_KEY.toString('base64'), dataDir: mkdtempSync(join(tmpdir(), 'lethe-k-')) });
  const clock = new ManualClock(new Date('2026-12-22T00:00:00Z'));
  return new LocalDataPlane(pool, new LocalKeyVault(pool, masterKey, clock), platformKeyFrom(masterKey), clock);
}

const onboard = (tenantId: string, extra: Record<string, unknown> = {}) =>
  api('POST', '/v1/tenants', TOKENS.operator, {
    tenantId,
    jurisdiction: 'GB-ENG',
    keyCustody: 'managed',
    backupKeyMode: 'platform',
    databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }],
    ...extra,
  });
const terminate = (tenantId: string, body: Record<string, unknown>) => api('POST', `/v1/tenants/${tenantId}/terminations`, TOKENS.contract, body);
const setClock = (now: string) => api('POST', '/v1/admin/clock', TOKENS.admin, { now });
const tenant = (tenantId: string) => api('GET', `/v1/tenants/${tenantId}`, TOKENS.reader);

async function eventsOf(tenantId: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const res = await pool.query('select event_type as type, data from lethe_events where stream_id = $1 order by stream_revision', [`tenant-${tenantId}`]);
  return res.rows;
}

async function statusBecomes(tenantId: string, status: string): Promise<ApiResponse> {
  let last: ApiResponse | undefined;
  await waitUntil(async () => (last = await tenant(tenantId)).body?.status === status, 10_000, `${tenantId} to become ${status} (is ${last?.body?.status})`);
  return last!;
}

async function timerPending(tenantId: string): Promise<void> {
  await waitUntil(
    async () => (await pool.query(`select 1 from lethe_deadlines where kind = 'shred-step' and status = 'pending' and payload->>'tenantId' = $1`, [tenantId])).rowCount === 1,
    10_000,
    `the shred timer of ${tenantId}`,
  );
}

describe('access', () => {
  it('answers 401 without a valid token and 403 for the wrong role, as problem+json', async () => {
    const none = await api('GET', '/v1/tenants/anyone');
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect((await api('GET', '/v1/tenants/anyone', 'not-a-real-token-at-all')).status).toBe(401);
    expect((await api('GET', '/v1/tenants/anyone', TOKENS.contract)).status).toBe(403);
    expect((await onboard.call(null, 'x')).status).toBe(201);
    expect((await api('POST', '/v1/tenants/x/terminations', TOKENS.reader, {})).status).toBe(403);
    expect(none.headers.get('strict-transport-security')).toContain('max-age=');
  });

  it('describes the API in OpenAPI at /docs, with request bodies from the validation schemas', async () => {
    const doc = await api('GET', '/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/tenants', '/v1/tenants/{tenantId}/terminations', '/v1/shreds']));
    const onboardBody = doc.body.paths['/v1/tenants'].post.requestBody.content['application/json'].schema;
    expect(onboardBody.required).toEqual(expect.arrayContaining(['tenantId', 'jurisdiction', 'keyCustody', 'backupKeyMode', 'databases']));
    expect(onboardBody.properties.databases.maxItems).toBe(50);
    const ui = await api('GET', '/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger');
  });

  it('serves the certificate public key to anyone', async () => {
    const key = await api('GET', '/v1/certificate-key');
    expect(key.status).toBe(200);
    expect(key.body).toMatchObject({ algorithm: 'Ed25519' });
    expect(() => createPublicKey(key.body.pem)).not.toThrow();
  });
});

describe('onboarding', () => {
  it('creates a tenant with its key and databases, defaulting the time zone from the jurisdiction', async () => {
    const res = await onboard('acme');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ tenantId: 'acme', status: 'active', timeZone: 'Europe/London', shredGraceWorkingDays: 2 });
    expect(res.body.databases).toEqual([{ databaseId: 'db-1' }, { databaseId: 'db-2' }]);
    // The tenant stream records the tenant; its key and databases belong to the key ring.
    expect((await eventsOf('acme')).map((e) => e.type)).toEqual(['TenantOnboarded']);
    const ring = await new PostgresEventStore(pool).readStream('keys-acme');
    expect(ring.map((e) => e.type)).toEqual(['KeyRingOpened']);
  });

  it('names every bad field in a 400 and stores nothing', async () => {
    const res = await api('POST', '/v1/tenants', TOKENS.operator, {
      tenantId: 'Bad Id',
      jurisdiction: 'XX-NOPE',
      timeZone: 'Mars/Olympus',
      keyCustody: 'mine',
      backupKeyMode: 'platform',
      databases: [{ databaseId: 'db-1' }, { databaseId: 'db-1' }],
      shredGraceWorkingDays: 5,
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(
      ['databases[1].databaseId', 'jurisdiction', 'keyCustody', 'shredGraceWorkingDays', 'tenantId', 'timeZone'].sort(),
    );
    expect((await api('POST', '/v1/tenants', TOKENS.operator, { ...{ tenantId: 'nodbs', jurisdiction: 'GB', keyCustody: 'managed', backupKeyMode: 'customer' }, databases: [] })).status).toBe(400);
    expect((await api('POST', '/v1/tenants', TOKENS.operator, '{"tenantId": ')).status).toBe(400);
    expect((await pool.query(`select 1 from lethe_events where stream_id in ('tenant-Bad Id', 'tenant-nodbs')`)).rowCount).toBe(0);
    expect((await tenant('nodbs')).status).toBe(404);
  });

  it('refuses a tenant that exists with another body (409), answers the same body again, and 404 for an unknown one', async () => {
    const again = await onboard('acme');
    expect(again.status).toBe(201);
    expect(again.body.databases).toEqual([{ databaseId: 'db-1' }, { databaseId: 'db-2' }]);
    const other = await api('POST', '/v1/tenants', TOKENS.operator, { tenantId: 'acme', jurisdiction: 'FR', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-x' }] });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('tenant-exists');
    expect((await tenant('nobody')).status).toBe(404);
    expect((await terminate('nobody', { terminationId: 't-x', contractId: 'c', effectiveAt: '2026-12-22T00:00:00Z' })).status).toBe(404);
  });
});

describe('the shred, from termination to certificate', () => {
  it('runs at executeAt after a holiday weekend, is verified, and certified', async () => {
    // Effective Wed 23 Dec 2026, London. Working days after it: Thu 24; Fri 25 Christmas, Mon 28
    // Boxing Day (substitute); Tue 29 (2nd: executeAt), Wed 30, Thu 31; Fri 1 Jan; Mon 4 (5th).
    // Assets the tenant key does not protect: a staging blob and a backup under the platform key.
    const dataPlane = await platformDataPlane();
    await dataPlane.addStagingAsset('acme', 'export-2026-12');
    await dataPlane.addPlatformBackup('acme', 'nightly-2026-12-22', 'db-1');
    expect((await dataPlane.readAsset('acme', 'staging', 'export-2026-12')).length).toBeGreaterThan(0);
    const body = { terminationId: 'term-acme-1', contractId: 'contract-7', effectiveAt: '2026-12-23T17:00:00Z', reason: 'contract ended' };
    const first = await terminate('acme', body);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({
      outcome: 'scheduled',
      shredId: 'termination:term-acme-1',
      deadline: '2027-01-04T23:59:59.999Z',
      executeAt: '2026-12-29T23:59:59.999Z',
      lateNotification: false,
    });
    // The same request again: the same answer, with effectiveAt written any way that names the same
    // instant. The same id with another body: 409 termination-conflict, speaking of the terminationId.
    const again = await terminate('acme', body);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    const respelled = await terminate('acme', { ...body, effectiveAt: '2026-12-23T17:00:00.000Z' });
    expect(respelled.status).toBe(202);
    expect(respelled.body).toEqual(first.body);
    const conflict = await terminate('acme', { ...body, effectiveAt: '2026-12-24T17:00:00Z' });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ code: 'termination-conflict', title: 'terminationId reused' });
    expect(conflict.body.detail).toContain('terminationId');
    expect(conflict.body.detail).not.toMatch(/idempotency/i);
    // Another termination while one is scheduled changes nothing, and says so.
    const other = await terminate('acme', { ...body, terminationId: 'term-acme-2' });
    expect(other.status).toBe(202);
    expect(other.body).toMatchObject({ outcome: 'already-scheduled', deadline: '2027-01-04T23:59:59.999Z', executeAt: '2026-12-29T23:59:59.999Z' });
    await timerPending('acme');

    // A day at a time: nothing happens before executeAt.
    for (const day of ['2026-12-22', '2026-12-23', '2026-12-24', '2026-12-25', '2026-12-26', '2026-12-27', '2026-12-28', '2026-12-29']) {
      expect((await setClock(`${day}T12:00:00Z`)).status).toBe(200);
      expect((await tenant('acme')).body.status).toBe('shred-scheduled');
    }
    expect((await eventsOf('acme')).some((e) => e.type === 'ShredExecutionStarted')).toBe(false);
    const run = await setClock('2026-12-30T12:00:00Z');
    // What fired, by id and public kind (as GET /v1/schedule names it): at least the shred's first step.
    expect(run.body.fired).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'shred-execution', id: expect.any(String) })]));
    const now = await api('GET', '/v1/admin/clock', TOKENS.admin);
    expect(now.body).toEqual({ now: '2026-12-30T12:00:00.000Z' });
    const verified = await statusBecomes('acme', 'verified');
    expect(verified.body.shred).toMatchObject({
      deadline: '2027-01-04T23:59:59.999Z',
      executeAt: '2026-12-29T23:59:59.999Z',
      executedAt: '2026-12-30T12:00:00.000Z',
      verifiedAt: '2026-12-30T12:00:00.000Z',
      breaches: [],
    });
    // (DeletionCertificateIssued follows, once the certificate is issued: checked below.)
    expect((await eventsOf('acme')).map((e) => e.type).slice(1, 8)).toEqual([
      'ShredScheduled',
      // term-acme-2 joined the scheduled shred (a cancel would have withdrawn it too).
      'ShredTriggerRecorded',
      'ShredExecutionStarted',
      'KeyDestroyed',
      'AssetsPurged',
      'ShredProbeRecorded',
      'ShredVerified',
    ]);

    // The certificate verifies with the published key, in the library and with the CLI.
    // Issued once the stored ShredVerified is processed (asynchronously).
    let cert: ApiResponse | undefined;
    await waitUntil(async () => (cert = await api('GET', '/v1/tenants/acme/deletion-certificate', TOKENS.reader)).status === 200, 10_000, 'the certificate');
    cert = cert!;
    expect((await eventsOf('acme')).filter((e) => e.type === 'DeletionCertificateIssued').map((e) => e.data)).toEqual([
      expect.objectContaining({ shredId: 'termination:term-acme-1', certificateId: cert.body.certificate.certificateId, keyId: cert.body.signature.keyId }),
    ]);
    const publicKey = (await api('GET', '/v1/certificate-key')).body;
    expect(verifyCertificate(cert.body, createPublicKey(publicKey.pem))).toEqual({ valid: true, keyId: publicKey.keyId });
    expect(cert.body.certificate).toMatchObject({ tenantId: 'acme', verifiedWithinDeadline: true, trigger: { terminationId: 'term-acme-1' } });
    expect(cert.body.certificate.destroyedKeyVersions).toHaveLength(1);
    // Deleting the key does not make platform-key assets unreadable: they were purged instead.
    expect(cert.body.certificate.purgedAssets.map((a: { kind: string; id: string }) => `${a.kind}:${a.id}`).sort()).toEqual([
      'platform-backup:nightly-2026-12-22',
      'staging:export-2026-12',
    ]);
    await expect(dataPlane.readAsset('acme', 'staging', 'export-2026-12')).rejects.toThrow();
    await expect(dataPlane.readAsset('acme', 'platform-backup', 'nightly-2026-12-22')).rejects.toThrow();
    expect(cert.body.certificate.probes).toEqual([
      { attempt: 1, outcome: 'key-destroyed', at: '2026-12-30T12:00:00.000Z', results: [{ databaseId: 'db-1', outcome: 'key-destroyed' }, { databaseId: 'db-2', outcome: 'key-destroyed' }] },
    ]);
    const dir = mkdtempSync(join(tmpdir(), 'lethe-cert-'));
    writeFileSync(join(dir, 'cert.json'), cert.text);
    writeFileSync(join(dir, 'key.pem'), publicKey.pem);
    const tampered = structuredClone(cert.body);
    tampered.certificate.verifiedAt = '2026-12-29T12:00:00.000Z';
    writeFileSync(join(dir, 'tampered.json'), JSON.stringify(tampered));
    const cli = (file: string) =>
      spawnSync(process.execPath, ['--import', '@swc-node/register/esm-register', 'apps/cli/src/main.ts', 'certificate', 'verify', join(dir, file), '--public-key', join(dir, 'key.pem')], {
        encoding: 'utf8',
        timeout: 30_000,
      });
    const good = cli('cert.json');
    expect(good.stdout).toContain('VALID');
    expect(good.status).toBe(0);
    const bad = cli('tampered.json');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('INVALID');
  }, 60_000);

  it('answers 404 for the certificate until the shred is verified', async () => {
    expect((await onboard('pending-co')).status).toBe(201);
    expect((await api('GET', '/v1/tenants/pending-co/deletion-certificate', TOKENS.reader)).status).toBe(404);
  });

  it('never lets a shredded tenant come back', async () => {
    const res = await onboard('acme');
    expect(res.status).toBe(409);
    expect((await terminate('acme', { terminationId: 'term-acme-3', contractId: 'c', effectiveAt: '2027-01-01T00:00:00Z' })).body.outcome).toBe('already-shredded');
    expect((await api('POST', '/v1/tenants/acme/shred/cancel', TOKENS.operator, { reason: 'too late' })).status).toBe(409);
  });

  it('cancels a scheduled shred before execution, and then nothing is destroyed', async () => {
    expect((await onboard('keepme')).status).toBe(201);
    expect((await terminate('keepme', { terminationId: 'term-k', contractId: 'c-k', effectiveAt: '2026-12-31T09:00:00Z' })).status).toBe(202);
    await timerPending('keepme');
    const cancel = await api('POST', '/v1/tenants/keepme/shred/cancel', TOKENS.operator, { reason: 'renewed after all' });
    expect(cancel.status).toBe(200);
    // The tenant is active again, with its cancelled shred beside it.
    expect(cancel.body).toMatchObject({ tenantId: 'keepme', status: 'active', shred: { shredId: 'termination:term-k', status: 'cancelled' } });
    expect((await api('POST', '/v1/tenants/keepme/shred/cancel', TOKENS.operator, { reason: 'again' })).status).toBe(409);
    await setClock('2027-01-20T12:00:00Z');
    const after = await statusBecomes('keepme', 'active');
    expect(after.body.shred).toMatchObject({ shredId: 'termination:term-k', status: 'cancelled' });
    expect((await eventsOf('keepme')).map((e) => e.type)).not.toContain('KeyDestroyed');
    expect((await pool.query(`select status from lethe_deadlines where payload->>'tenantId' = 'keepme' and kind like 'shred-%'`)).rows.map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('executes a late notice at once and records the breach', async () => {
    expect((await onboard('lateco')).status).toBe(201);
    // Effective 4 Jan 2027; 5 working days end on Mon 11 Jan. The notice arrives on 20 Jan.
    const res = await terminate('lateco', { terminationId: 'term-late', contractId: 'c-l', effectiveAt: '2027-01-04T09:00:00Z' });
    expect(res.body).toMatchObject({ outcome: 'scheduled', deadline: '2027-01-11T23:59:59.999Z', executeAt: '2027-01-20T12:00:00.000Z', lateNotification: true });
    await timerPending('lateco').catch(() => undefined);
    await setClock('2027-01-20T12:00:01Z');
    const done = await statusBecomes('lateco', 'verified');
    expect(done.body.shred.breaches).toEqual([{ cause: 'late-notification', at: '2027-01-20T12:00:00.000Z' }]);
  });

  it('starts from a ContractTerminated appended straight into the contract stream', async () => {
    expect((await onboard('streamco', { jurisdiction: 'DE-BY', shredGraceWorkingDays: 0 })).status).toBe(201);
    const store = new PostgresEventStore(pool);
    await store.append(
      'contract-streamco',
      [{ id: randomUUID(), type: 'ContractTerminated', data: { terminationId: 'ct-1', contractId: 'k-1', effectiveAt: '2027-01-21T08:00:00Z' }, metadata: { receivedAt: '2027-01-20T12:00:01Z' } }],
      'any',
    );
    const scheduled = await statusBecomes('streamco', 'shred-scheduled');
    // DE-BY, D = Thu 21 Jan: Fri 22, Mon 25 .. Thu 28 are the five working days; grace 0.
    expect(scheduled.body.shred).toMatchObject({ effectiveAt: '2027-01-21T08:00:00.000Z', executeAt: '2027-01-21T08:00:00.000Z', deadline: '2027-01-28T22:59:59.999Z' });
    await store.close();
  });

  it('retries through a vault outage and completes before the deadline', async () => {
    expect((await onboard('flaky')).status).toBe(201);
    vaultOutage.set('flaky', 2);
    const res = await api('POST', '/v1/tenants/flaky/deletion-requests', TOKENS.contract, { requestId: 'req-flaky' });
    expect(res.status).toBe(202);
    // Received 20 Jan 12:00:01; grace 2: executeAt end of Fri 22 Jan; deadline end of Wed 27 Jan.
    expect(res.body).toMatchObject({ outcome: 'scheduled', executeAt: '2027-01-22T23:59:59.999Z', deadline: '2027-01-27T23:59:59.999Z' });
    await timerPending('flaky');
    await setClock('2027-01-23T00:00:00Z');
    await waitUntil(async () => (await eventsOf('flaky')).some((e) => e.type === 'ShredStepFailed'), 10_000, 'a failed step');
    expect((await tenant('flaky')).body.status).not.toBe('verified');
    await setClock('2027-01-23T00:01:00Z');
    await setClock('2027-01-23T00:05:00Z');
    const done = await statusBecomes('flaky', 'verified');
    expect(done.body.shred.breaches).toEqual([]);
    const failures = (await eventsOf('flaky')).filter((e) => e.type === 'ShredStepFailed').map((e) => e.data);
    expect(failures).toEqual([
      expect.objectContaining({ step: 'destroy-keys', failure: 1, error: 'VaultUnavailableError' }),
      expect.objectContaining({ step: 'destroy-keys', failure: 2, error: 'VaultUnavailableError' }),
    ]);
  }, 30_000);

  it('lists shreds by status', async () => {
    const verified = await api('GET', '/v1/shreds?status=verified', TOKENS.reader);
    expect(verified.status).toBe(200);
    expect(verified.body.items.map((s: { tenantId: string }) => s.tenantId)).toEqual(expect.arrayContaining(['acme', 'lateco', 'flaky']));
    expect(verified.body.items.every((s: { status: string }) => s.status === 'verified')).toBe(true);
    const cancelled = await api('GET', '/v1/shreds?status=cancelled', TOKENS.reader);
    expect(cancelled.body.items.map((s: { tenantId: string }) => s.tenantId)).toEqual(['keepme']);
    expect((await api('GET', '/v1/tenants?status=active', TOKENS.reader)).body.items.map((t: { tenantId: string }) => t.tenantId)).toContain('keepme');
    expect((await api('GET', '/v1/tenants?status=cancelled', TOKENS.reader)).status).toBe(400);
    expect((await api('GET', '/v1/shreds?status=bogus', TOKENS.reader)).status).toBe(400);
  });

  it('keeps every shred in /v1/shreds: a cancelled one stays listed after the tenant is terminated again', async () => {
    expect((await onboard('twice')).status).toBe(201);
    expect((await terminate('twice', { terminationId: 'term-t1', contractId: 'c-t', effectiveAt: '2027-02-01T09:00:00Z' })).status).toBe(202);
    expect((await api('POST', '/v1/tenants/twice/shred/cancel', TOKENS.operator, { reason: 'renewed' })).status).toBe(200);
    expect((await terminate('twice', { terminationId: 'term-t2', contractId: 'c-t', effectiveAt: '2027-03-01T09:00:00Z' })).body.outcome).toBe('scheduled');
    // The view first shows term-t1 scheduled, then cancelled, then term-t2: wait for the last.
    let tenantNow: ApiResponse | undefined;
    await waitUntil(async () => (tenantNow = await tenant('twice')).body?.shred?.shredId === 'termination:term-t2', 10_000, 'twice to show its second shred');
    expect(tenantNow!.body).toMatchObject({ status: 'shred-scheduled', shred: { shredId: 'termination:term-t2', status: 'shred-scheduled' } });
    let listed: { shredId: string; status: string }[] = [];
    await waitUntil(
      async () => {
        const all: { tenantId: string; shredId: string; status: string }[] = (await api('GET', '/v1/shreds', TOKENS.reader)).body.items;
        listed = all.filter((s) => s.tenantId === 'twice').map(({ shredId, status }) => ({ shredId, status }));
        return listed.length === 2;
      },
      10_000,
      'both shreds of twice to be listed',
    );
    expect(listed).toEqual([
      { shredId: 'termination:term-t1', status: 'cancelled' },
      { shredId: 'termination:term-t2', status: 'shred-scheduled' },
    ]);
    // Paged one at a time, the walk meets each shred once.
    const seen: string[] = [];
    for (let cursor: string | null = null, pages = 0; pages < 1000; pages++) {
      const page: { items: { tenantId: string; shredId: string }[]; nextCursor: string | null } = (await api('GET', `/v1/shreds?limit=1${cursor ? `&cursor=${cursor}` : ''}`, TOKENS.reader)).body;
      seen.push(...page.items.map((s) => `${s.tenantId}/${s.shredId}`));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    expect(seen.filter((s) => s.startsWith('twice/'))).toEqual(['twice/termination:term-t1', 'twice/termination:term-t2']);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses to move the manual clock backwards', async () => {
    expect((await setClock('2026-01-01T00:00:00Z')).status).toBe(409);
  });
});

describe('secrets', () => {
  it('puts no key bytes in any event, log line or HTTP response', async () => {
    // Key material we can reach from outside: the master key, and each database's data key
    // (unwrapped with the tenant key while it still exists: 'pending-co' is never shredded).
    const masterKey = await loadMasterKey({ env: MASTER_KEY.toString('base64'), dataDir: mkdtempSync(join(tmpdir(), 'lethe-k-')) });
    const vault = new LocalKeyVault(pool, masterKey, new ManualClock(new Date('2027-02-01T00:00:00Z')));
    const rows = await pool.query<{ key_version_id: string; wrapped_data_key: Buffer }>(
      `select key_version_id, wrapped_data_key from dataplane_databases where tenant_id = 'pending-co'`,
    );
    const secrets: Buffer[] = [MASTER_KEY];
    for (const r of rows.rows) secrets.push(await vault.unwrap(r.key_version_id, r.wrapped_data_key));
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    const needles = secrets.flatMap((s) => [s.toString('hex'), s.toString('base64'), s.toString('base64url'), s.toString('latin1')]);
    const events = await pool.query<{ t: string }>(`select data::text || metadata::text as t from lethe_events`);
    const haystacks = [
      ...events.rows.map((r) => r.t),
      ...logLines,
      ...responses.map((r) => r.text),
      ...Object.values(TOKENS).map(() => ''),
    ];
    expect(haystacks.length).toBeGreaterThan(50);
    for (const h of haystacks) for (const n of needles) expect(h.includes(n)).toBe(false);
    // Tokens never reach a log line either.
    for (const line of logLines) for (const token of Object.values(TOKENS)) expect(line.includes(token)).toBe(false);
  });
});
