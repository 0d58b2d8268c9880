/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// Platform-key assets (P4, issue 7 fault 5) over HTTP with the manual clock: every backup of a
// tenant whose backupKeyMode is 'platform' is encrypted with a platform key, and staging blobs are
// registered through the API. Destroying the tenant key leaves both readable, so the shred purges
// every live one, and the deletion certificate lists each with its purge instant.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { loadConfig } from '../../apps/engine/src/config/engine-config.js';
import { startEngine, type RunningEngine } from '../../apps/engine/src/engine.js';
import { createLogger } from '../../apps/engine/src/logging/logger.js';
import { apiClient } from '../support/http-client.js';
import { waitUntil } from '../support/engine-process.js';

const T = {
  op: `op-${randomBytes(10).toString('hex')}`,
  admin: `ad-${randomBytes(10).toString('hex')}`,
  reader: `rd-${randomBytes(10).toString('hex')}`,
  cs: `cs-${randomBytes(10).toString('hex')}`,
};

let db: TestDatabase;
let pool: pg.Pool;
let engine: RunningEngine;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', reportIdleError);
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    LETHE_DATA_DIR: mkdtempSync(join(tmpdir(), 'lethe-assets-')),
    LETHE_CLOCK: 'manual',
    // Monday 1 March 2027, 09:00 UTC.
    LETHE_CLOCK_START: '2027-03-01T09:00:00Z',
    LETHE_DEADLINE_POLL_MS: '100',
    LETHE_MASTER_KEY: randomBytes(32).toString('base64'),
    LETHE_TOKENS: `operator:${T.op},admin:${T.admin},ops-reader:${T.reader},contract-system:${T.cs}`,
  });
  engine = await startEngine(config, { logger: createLogger('warn', new Writable({ write: (_c, _e, done) => done() })) });
  api = apiClient(engine.url);
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await pool?.end();
  await db?.drop();
});

const onboard = (tenantId: string, backupKeyMode: 'customer' | 'platform') =>
  api('POST', '/v1/tenants', T.op, { tenantId, jurisdiction: 'GB-ENG', keyCustody: 'managed', backupKeyMode, databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }] });
const backup = (tenantId: string, backupId: string, databaseId = 'db-1') =>
  api('POST', `/v1/tenants/${tenantId}/backups`, T.op, { backupId, databaseId, kind: 'full', coveredFrom: '2027-03-01T09:00:00Z', takenAt: '2027-03-01T09:00:00Z', expiresAt: '2027-06-01T00:00:00Z' });
const stage = (tenantId: string, body: unknown, token = T.op) => api('POST', `/v1/tenants/${tenantId}/staging-assets`, token, body);
const restoreCheck = (tenantId: string, backupId: string) => api('POST', `/v1/tenants/${tenantId}/backups/${backupId}/restore-check`, T.op);

describe('staging assets', () => {
  it('registers a staging blob (201), idempotently by id; 409 for the same id with another body; 400 naming each bad field', async () => {
    expect((await onboard('stager', 'customer')).status).toBe(201);
    const first = await stage('stager', { assetId: 'export-1', expiresAt: '2027-03-08T00:00:00Z' });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({ assetId: 'export-1', expiresAt: '2027-03-08T00:00:00.000Z', registeredAt: '2027-03-01T09:00:00.000Z' });
    const again = await stage('stager', { assetId: 'export-1', expiresAt: '2027-03-08T00:00:00.000Z' });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const other = await stage('stager', { assetId: 'export-1', expiresAt: '2027-03-09T00:00:00Z' });
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('staging-asset-exists');
    expect((await stage('stager', { assetId: 'export-1' })).status).toBe(409);
    expect((await stage('stager', { assetId: 'scratch-2' })).body).toEqual({ assetId: 'scratch-2', expiresAt: null, registeredAt: '2027-03-01T09:00:00.000Z' });

    const bad = await stage('stager', { assetId: '', expiresAt: 'next week' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['assetId', 'expiresAt']);
    expect((await stage('stager', { assetId: 'x', size: 3 })).status).toBe(400);
    expect((await stage('stager', { expiresAt: '2027-03-08T00:00:00Z' })).body.errors).toEqual([{ field: 'assetId', rule: 'is required' }]);
    expect((await stage('nobody', { assetId: 'x' })).status).toBe(404);
    expect((await stage('stager', { assetId: 'x' }, T.reader)).status).toBe(403);

    const list = await api('GET', '/v1/tenants/stager/staging-assets', T.reader);
    expect(list.status).toBe(200);
    expect(list.body.stagingAssets.map((a: any) => a.assetId)).toEqual(['export-1', 'scratch-2']);
    expect((await api('GET', '/v1/tenants/nobody/staging-assets', T.reader)).status).toBe(404);
    // Nothing of the refused requests was stored.
    const stored = await pool.query(`select asset_id from dataplane_assets where tenant_id = 'stager' order by asset_id`);
    expect(stored.rows.map((r) => r.asset_id)).toEqual(['export-1', 'scratch-2']);
  });
});

describe('a platform tenant', () => {
  it('has platform-key backups, and its shred purges every backup and staging blob, each listed with its purge instant', async () => {
    expect((await onboard('plat', 'platform')).status).toBe(201);
    const b1 = await backup('plat', 'nightly-1');
    expect(b1.status).toBe(201);
    // Encrypted with a platform key: it needs no tenant key version.
    expect(b1.body).toMatchObject({ backupId: 'nightly-1', protection: 'platform-key', keyVersionIds: [], restoreKeyVersionId: null });
    expect((await backup('plat', 'nightly-2', 'db-2')).status).toBe(201);
    expect((await restoreCheck('plat', 'nightly-1')).body).toEqual({ restorable: true, protection: 'platform-key', keyVersionId: null });
    expect((await stage('plat', { assetId: 'export-9', expiresAt: '2027-03-20T00:00:00Z' })).status).toBe(201);
    expect((await stage('plat', { assetId: 'scratch-1' })).status).toBe(201);
    // A customer tenant's backup says so too.
    expect((await onboard('cust', 'customer')).status).toBe(201);
    expect((await backup('cust', 'nightly-c')).body).toMatchObject({ protection: 'customer-key', keyVersionIds: [expect.any(String)] });
    expect((await restoreCheck('cust', 'nightly-c')).body).toMatchObject({ restorable: true, protection: 'customer-key' });

    const req = await api('POST', '/v1/tenants/plat/deletion-requests', T.cs, { requestId: 'bye' });
    expect(req.status).toBe(202);
    await waitUntil(
      async () => (await pool.query(`select 1 from lethe_deadlines where kind = 'shred-step' and status = 'pending' and payload->>'tenantId' = 'plat'`)).rowCount === 1,
      10_000,
      'the shred timer',
    );
    const executeAt = new Date(Date.parse(req.body.executeAt) + 1000).toISOString();
    expect((await api('POST', '/v1/admin/clock', T.admin, { now: executeAt })).status).toBe(200);
    await waitUntil(async () => (await api('GET', '/v1/tenants/plat', T.reader)).body?.status === 'verified', 10_000, 'the shred verified');

    const cert = await api('GET', '/v1/tenants/plat/deletion-certificate', T.reader);
    expect(cert.status).toBe(200);
    expect(cert.body.certificate.purgedAssets).toEqual([
      { kind: 'platform-backup', id: 'nightly-1', purgedAt: executeAt },
      { kind: 'platform-backup', id: 'nightly-2', purgedAt: executeAt },
      { kind: 'staging', id: 'export-9', purgedAt: executeAt },
      { kind: 'staging', id: 'scratch-1', purgedAt: executeAt },
    ]);
    const purged = (await pool.query(`select data from lethe_events where stream_id = 'tenant-plat' and event_type = 'AssetsPurged'`)).rows;
    expect(purged).toHaveLength(1);
    expect(purged[0].data.assets).toEqual(cert.body.certificate.purgedAssets);
    // Nothing readable is left of them, and restore-check says what happened to the backup.
    const left = await pool.query(`select count(*)::int as n from dataplane_assets where tenant_id = 'plat' and sealed_content is not null`);
    expect(left.rows[0].n).toBe(0);
    expect((await restoreCheck('plat', 'nightly-1')).body).toMatchObject({ restorable: false, protection: 'platform-key', keyVersionId: null, reason: 'asset-purged' });
    // Nothing can be attached to a shredded tenant any more.
    const late = await stage('plat', { assetId: 'too-late' });
    expect(late.status).toBe(409);
    expect((await backup('plat', 'nightly-3')).status).toBe(409);
    expect((await pool.query(`select 1 from dataplane_assets where tenant_id = 'plat' and asset_id in ('too-late', 'nightly-3')`)).rowCount).toBe(0);
    // Registered assets stay listed (the record of what the shred purged).
    expect((await api('GET', '/v1/tenants/plat/staging-assets', T.reader)).body.stagingAssets.map((a: any) => a.assetId)).toEqual(['export-9', 'scratch-1']);
  }, 60_000);
});
