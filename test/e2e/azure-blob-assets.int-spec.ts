/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// LETHE_ASSET_STORE=azure-blob end to end, over HTTP with the manual clock, against Azurite: a platform
// tenant's backups and staging blobs live as sealed blobs in two containers; its shred purges them in
// the shred window (P4), and with them a blob someone else put under the tenant's prefix; afterwards
// nothing is left under the prefix (snapshots and versions included) and the certificate lists each
// name with its purge instant. Another tenant's blobs are untouched.
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { listEverything } from '@lethe/dataplane';
import { AZURITE_INSTALL_HINT, azuritePath, startAzurite, type Azurite } from '@lethe/testing';
import { waitUntil } from '../support/engine-process.js';
import { startInProcessEngine, type InProcessEngine } from '../support/in-process-engine.js';

const HAVE_AZURITE = azuritePath() !== undefined;
if (!HAVE_AZURITE) console.warn(`test/e2e/azure-blob-assets.int-spec.ts: azurite not found, SKIPPED: ${AZURITE_INSTALL_HINT}`);
const describeWithAzurite = HAVE_AZURITE ? describe : describe.skip;

describeWithAzurite('LETHE_ASSET_STORE=azure-blob', () => {
  let azurite: Azurite;
  let e: InProcessEngine;
  let staging: ContainerClient;
  let backups: ContainerClient;

  beforeAll(async () => {
    azurite = await startAzurite();
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    staging = service.getContainerClient('lethe-staging');
    backups = service.getContainerClient('lethe-backups');
    await Promise.all([staging.create(), backups.create()]);
    // Monday 1 March 2027, 09:00 UTC.
    e = await startInProcessEngine('2027-03-01T09:00:00Z', { LETHE_ASSET_STORE: 'azure-blob', LETHE_AZURE_BLOB_CONNECTION_STRING: azurite.connectionString });
  }, 60_000);

  afterAll(async () => {
    await e?.stop();
    await azurite?.stop();
  });

  const op = () => e.tokens.operator;
  const onboard = (tenantId: string) =>
    e.api('POST', '/v1/tenants', op(), { tenantId, jurisdiction: 'GB-ENG', keyCustody: 'managed', backupKeyMode: 'platform', databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }] });
  const backup = (tenantId: string, backupId: string, databaseId = 'db-1') =>
    e.api('POST', `/v1/tenants/${tenantId}/backups`, op(), { backupId, databaseId, kind: 'full', coveredFrom: '2027-03-01T09:00:00Z', takenAt: '2027-03-01T09:00:00Z', expiresAt: '2027-06-01T00:00:00Z' });
  const stage = (tenantId: string, assetId: string) => e.api('POST', `/v1/tenants/${tenantId}/staging-assets`, op(), { assetId });
  const restoreCheck = (tenantId: string, backupId: string) => e.api('POST', `/v1/tenants/${tenantId}/backups/${backupId}/restore-check`, op());
  const names = async (container: ContainerClient, prefix: string) => (await listEverything(container, prefix)).map((b) => (b.snapshot ? `${b.name}@snapshot` : b.name)).sort();

  it("keeps the platform tenant's assets as sealed blobs and purges everything under its prefix in the shred window", async () => {
    expect((await onboard('plat')).status).toBe(201);
    expect((await onboard('keep')).status).toBe(201);
    expect((await backup('plat', 'nightly-1')).body).toMatchObject({ protection: 'platform-key' });
    expect((await backup('plat', 'nightly-2', 'db-2')).status).toBe(201);
    expect((await stage('plat', 'export-9')).status).toBe(201);
    expect((await stage('plat', 'scratch-1')).status).toBe(201);
    expect((await backup('keep', 'nightly-1')).status).toBe(201);
    expect((await stage('keep', 'export-1')).status).toBe(201);

    // In Blob Storage, not in the local table; ciphertext under the platform key, readable through it.
    expect(await names(backups, 'plat/')).toEqual(['plat/nightly-1', 'plat/nightly-2']);
    expect(await names(staging, 'plat/')).toEqual(['plat/export-9', 'plat/scratch-1']);
    expect((await e.pool.query('select 1 from dataplane_assets')).rowCount).toBe(0);
    const content = await backups.getBlobClient('plat/nightly-1').downloadToBuffer();
    expect(content.includes(Buffer.from('lethe-'))).toBe(false);
    expect(content.includes(Buffer.from('plat'))).toBe(false);
    expect((await restoreCheck('plat', 'nightly-1')).body).toEqual({ restorable: true, protection: 'platform-key', keyVersionId: null });
    // Someone else's blob under the tenant's prefix, and a snapshot of a backup.
    await staging.getBlockBlobClient('plat/someone-else.bin').upload('customer data', 13);
    await backups.getBlobClient('plat/nightly-1').createSnapshot();
    expect(await names(backups, 'plat/')).toEqual(['plat/nightly-1', 'plat/nightly-1@snapshot', 'plat/nightly-2']);

    const req = await e.api('POST', '/v1/tenants/plat/deletion-requests', e.tokens['contract-system'], { requestId: 'bye' });
    expect(req.status).toBe(202);
    await waitUntil(
      async () => (await e.pool.query(`select 1 from lethe_deadlines where kind = 'shred-step' and status = 'pending' and payload->>'tenantId' = 'plat'`)).rowCount === 1,
      10_000,
      'the shred timer',
    );
    const executeAt = new Date(Date.parse(req.body.executeAt) + 1000).toISOString();
    expect((await e.api('POST', '/v1/admin/clock', e.tokens.admin, { now: executeAt })).status).toBe(200);
    let tenant: any;
    await waitUntil(async () => (tenant = (await e.api('GET', '/v1/tenants/plat', e.tokens['ops-reader'])).body)?.status === 'verified', 15_000, 'the shred verified');

    const cert = await e.api('GET', '/v1/tenants/plat/deletion-certificate', e.tokens['ops-reader']);
    expect(cert.status).toBe(200);
    expect(cert.body.certificate.purgedAssets).toEqual([
      { kind: 'platform-backup', id: 'nightly-1', purgedAt: executeAt },
      { kind: 'platform-backup', id: 'nightly-2', purgedAt: executeAt },
      { kind: 'staging', id: 'export-9', purgedAt: executeAt },
      { kind: 'staging', id: 'scratch-1', purgedAt: executeAt },
      { kind: 'staging', id: 'someone-else.bin', purgedAt: executeAt },
    ]);
    // P4: within the shred window.
    expect(Date.parse(executeAt)).toBeLessThanOrEqual(Date.parse(tenant.shred.deadline));
    // Nothing is left under the prefix in either container, snapshots and versions included.
    expect(await names(staging, 'plat/')).toEqual([]);
    expect(await names(backups, 'plat/')).toEqual([]);
    const record = await e.pool.query(
      `select kind, asset_id, registered_at is not null as registered, deleted_objects from dataplane_blob_assets where tenant_id = 'plat' order by kind, asset_id`,
    );
    expect(record.rows).toEqual([
      { kind: 'platform-backup', asset_id: 'nightly-1', registered: true, deleted_objects: 2 },
      { kind: 'platform-backup', asset_id: 'nightly-2', registered: true, deleted_objects: 1 },
      { kind: 'staging', asset_id: 'export-9', registered: true, deleted_objects: 1 },
      { kind: 'staging', asset_id: 'scratch-1', registered: true, deleted_objects: 1 },
      { kind: 'staging', asset_id: 'someone-else.bin', registered: false, deleted_objects: 1 },
    ]);
    expect((await restoreCheck('plat', 'nightly-1')).body).toMatchObject({ restorable: false, protection: 'platform-key', reason: 'asset-purged' });
    expect((await stage('plat', 'too-late')).status).toBe(409);
    expect(await names(staging, 'plat/')).toEqual([]);
    // The other tenant keeps everything.
    expect(await names(backups, 'keep/')).toEqual(['keep/nightly-1']);
    expect(await names(staging, 'keep/')).toEqual(['keep/export-1']);
    expect((await restoreCheck('keep', 'nightly-1')).body).toMatchObject({ restorable: true });
    // The account key is in no log line.
    const key = /AccountKey=([^;]+)/.exec(azurite.connectionString)![1];
    expect(e.logLines.filter((l) => l.includes(key))).toEqual([]);
    expect(e.logLines.some((l) => l.includes('"assetStore":"azure-blob"'))).toBe(true);
  }, 90_000);

  it('answers 503 when Blob Storage fails a registration, recording nothing, and takes the retry', async () => {
    await staging.delete();
    const refused = await stage('keep', 'export-2');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(refused.body).toMatchObject({ code: 'asset-store-unavailable', detail: expect.stringContaining('upload: 404 ContainerNotFound') });
    expect((await e.api('GET', '/v1/tenants/keep/staging-assets', e.tokens['ops-reader'])).body.stagingAssets.map((a: any) => a.assetId)).toEqual(['export-1']);
    await staging.create();
    expect((await stage('keep', 'export-2')).status).toBe(201);
    expect(await names(staging, 'keep/')).toEqual(['keep/export-2']);
  });

  it('refuses to start when a container is missing, naming the setting', async () => {
    await expect(
      startInProcessEngine('2027-03-01T09:00:00Z', {
        LETHE_ASSET_STORE: 'azure-blob',
        LETHE_AZURE_BLOB_CONNECTION_STRING: azurite.connectionString,
        LETHE_AZURE_BLOB_BACKUP_CONTAINER: 'not-created',
      }),
    ).rejects.toMatchObject({ name: 'ConfigError', problems: ['LETHE_AZURE_BLOB_BACKUP_CONTAINER: container not-created does not exist in the storage account'] });
  }, 60_000);
});
