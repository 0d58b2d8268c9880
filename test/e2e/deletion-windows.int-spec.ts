// Deletion windows against the promise (P4), end to end over HTTP on real PostgreSQL with the manual
// clock. The vault is the real local vault standing for a slower one (test-only settings): it makes
// a destroyed key unusable 2 days after the shred destroys it and purges its material 7 days later
// (as Azure Key Vault under purge protection purges at the end of its retention). Then:
// - a tenant whose grace would leave less than 2 days before its deadline is refused (400, naming the
//   vault setting), and nothing of it is stored;
// - a shred destroys the key, waits for it to be unusable before probing, is verified, and its
//   certificate says the key was unusable at X and its purge expected at Y;
// - when the clock passes Y, a durable timer finds the material purged and records KeyMaterialPurged.
import type pg from 'pg';
import { waitUntil } from '../support/engine-process.js';
import { startInProcessEngine, type InProcessEngine } from '../support/in-process-engine.js';

let lethe: InProcessEngine;
let pool: pg.Pool;
let api: InProcessEngine['api'];

beforeAll(async () => {
  // Monday 11 January 2027: no holiday in England for the two weeks that follow.
  lethe = await startInProcessEngine('2027-01-11T09:00:00Z', {
    LETHE_VAULT: 'local',
    LETHE_LOCAL_VAULT_UNUSABLE_AFTER_DAYS: '2',
    LETHE_LOCAL_VAULT_PURGE_AFTER_DAYS: '7',
  });
  ({ pool, api } = lethe);
}, 60_000);

afterAll(async () => {
  await lethe?.stop();
});

const onboard = (tenantId: string, shredGraceWorkingDays: number) =>
  api('POST', '/v1/tenants', lethe.tokens.operator, {
    tenantId,
    jurisdiction: 'GB-ENG',
    keyCustody: 'managed',
    backupKeyMode: 'customer',
    databases: [{ databaseId: 'db-1' }],
    shredGraceWorkingDays,
  });
const setClock = async (now: string) => expect((await api('POST', '/v1/admin/clock', lethe.tokens.admin, { now })).status).toBe(200);
const shredOf = async (tenantId: string) => (await api('GET', `/v1/tenants/${tenantId}`, lethe.tokens['ops-reader'])).body?.shred;
const eventTypes = async (tenantId: string): Promise<string[]> =>
  (await pool.query<{ type: string }>('select event_type as type from lethe_events where stream_id = $1 order by stream_revision', [`tenant-${tenantId}`])).rows.map((r) => r.type);
const eventData = async (tenantId: string, type: string) =>
  (await pool.query('select data from lethe_events where stream_id = $1 and event_type = $2', [`tenant-${tenantId}`, type])).rows.map((r) => r.data);

it('refuses a tenant whose grace leaves the vault too little time to make its key unusable, naming the vault setting', async () => {
  // Grace 4 leaves as little as 1 day between execution and the deadline; the vault needs 2.
  const refused = await onboard('too-slow', 4);
  expect(refused.status).toBe(400);
  expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
  const errors = refused.body.errors as { field: string; rule: string }[];
  expect(errors).toHaveLength(1);
  expect(errors[0].field).toBe('shredGraceWorkingDays');
  expect(errors[0].rule).toContain('LETHE_LOCAL_VAULT_UNUSABLE_AFTER_DAYS');
  expect(errors[0].rule).toContain('only 1 days before its deadline');
  expect((await api('GET', '/v1/tenants/too-slow', lethe.tokens['ops-reader'])).status).toBe(404);
  expect(await eventTypes('too-slow')).toEqual([]);
  // Grace 3 leaves 2 days: enough.
  expect((await onboard('just-in-time', 3)).status).toBe(201);
});

it('records the unusable and the expected purge, certifies both, and confirms the purge when the vault has done it', async () => {
  expect((await onboard('slow-vault', 2)).status).toBe(201);
  const terminated = await api('POST', '/v1/tenants/slow-vault/terminations', lethe.tokens['contract-system'], {
    terminationId: 't-1',
    contractId: 'c-1',
    effectiveAt: '2027-01-11T10:00:00Z',
  });
  expect(terminated.status).toBe(202);
  // Executes at the end of Wed 13 Jan (2 working days), deadline the end of Mon 18 Jan (5).
  expect(terminated.body).toMatchObject({ executeAt: '2027-01-13T23:59:59.999Z', deadline: '2027-01-18T23:59:59.999Z' });

  // Executed: the key is destroyed now, unusable in 2 days, purged 7 days after that.
  await setClock('2027-01-14T00:00:00Z');
  await waitUntil(async () => (await shredOf('slow-vault'))?.status === 'shredded', 10_000, 'the shred to be executed');
  const [destroyed] = await eventData('slow-vault', 'KeyDestroyed');
  expect(destroyed.versions).toEqual([
    { keyVersionId: expect.any(String), unusableAt: '2027-01-16T00:00:00.000Z', purgedAt: null, purgeExpectedAt: '2027-01-23T00:00:00.000Z' },
  ]);
  expect(await shredOf('slow-vault')).toMatchObject({ keyMaterialPurgedAt: null, keyMaterialPurgeExpectedAt: '2027-01-23T00:00:00.000Z' });
  // The data is still readable until the vault makes the key unusable: no probe is wasted on it (and no false alarm).
  await new Promise((r) => setTimeout(r, 500));
  expect(await eventTypes('slow-vault')).not.toContain('ShredProbeRecorded');

  // Unusable: the probe proves it, the shred is verified within its deadline, and the certificate says so.
  await setClock('2027-01-16T00:00:00Z');
  let certificate: { status: number; text: string } = { status: 0, text: '' };
  await waitUntil(
    async () => (certificate = await api('GET', '/v1/tenants/slow-vault/deletion-certificate', lethe.tokens['ops-reader'])).status === 200,
    10_000,
    'the deletion certificate',
  );
  const doc = JSON.parse(certificate.text).certificate;
  expect(doc).toMatchObject({
    format: 'lethe-deletion-certificate/v3',
    verifiedAt: '2027-01-16T00:00:00.000Z',
    verifiedWithinDeadline: true,
    keyMaterial: { unusableAt: '2027-01-16T00:00:00.000Z', purgedAt: null, purgeExpectedAt: '2027-01-23T00:00:00.000Z' },
    destroyedKeyVersions: [{ keyVersionId: destroyed.versions[0].keyVersionId, unusableAt: '2027-01-16T00:00:00.000Z', purgedAt: null, purgeExpectedAt: '2027-01-23T00:00:00.000Z' }],
  });
  // The purge check waits in the schedule; the vault still holds the (sealed) material.
  const schedule = await api('GET', '/v1/schedule?kind=key-material-purge-check&from=2027-01-01T00:00:00Z', lethe.tokens['ops-reader']);
  expect(schedule.body.items).toEqual([expect.objectContaining({ kind: 'key-material-purge-check', tenantId: 'slow-vault', dueAt: '2027-01-23T00:00:00.000Z', state: 'pending' })]);
  const material = async () =>
    (await pool.query<{ kept: boolean }>('select wrapped_material is not null as kept from vault_key_versions where version_id = $1', [destroyed.versions[0].keyVersionId])).rows[0].kept;
  expect(await material()).toBe(true);

  // Past the expected purge: the timer asks the vault, which has purged, and the purge is recorded.
  await setClock('2027-01-23T00:00:01Z');
  await waitUntil(async () => (await eventTypes('slow-vault')).includes('KeyMaterialPurged'), 10_000, 'KeyMaterialPurged');
  const [purged] = await eventData('slow-vault', 'KeyMaterialPurged');
  expect(purged).toEqual({
    shredId: 'termination:t-1',
    keyId: destroyed.keyId,
    versions: [{ keyVersionId: destroyed.versions[0].keyVersionId, purgedAt: '2027-01-23T00:00:01.000Z' }],
    at: '2027-01-23T00:00:01.000Z',
  });
  expect(await material()).toBe(false);
  await waitUntil(async () => (await shredOf('slow-vault'))?.keyMaterialPurgedAt === '2027-01-23T00:00:01.000Z', 10_000, 'the tenant view');
  expect(await shredOf('slow-vault')).toMatchObject({ status: 'verified', keyMaterialPurgeExpectedAt: null });
  // The certificate issued at verification stays as it was.
  expect((await api('GET', '/v1/tenants/slow-vault/deletion-certificate', lethe.tokens['ops-reader'])).text).toBe(certificate.text);
  expect(await eventTypes('slow-vault')).toEqual([
    'TenantOnboarded',
    'ShredScheduled',
    'ShredExecutionStarted',
    'KeyDestroyed',
    'AssetsPurged',
    'ShredProbeRecorded',
    'ShredVerified',
    'DeletionCertificateIssued',
    'KeyMaterialPurged',
  ]);
});
