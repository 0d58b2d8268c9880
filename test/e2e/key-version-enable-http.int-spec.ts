/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// Break-glass `key-version.enable` end to end (issue 16): real HTTP, real PostgreSQL, the local vault
// and the manual clock. A retired version is refused without a grant (and the refusal recorded);
// with an approved grant covering the operation it wraps and unwraps again in the vault until the
// grant's window ends, when its retirement timer retires it again (a second KeyVersionRetired, disabled
// in the vault). Retirement disables a version in the vault; it is destroyed only after its grace
// (LETHE_RETIRED_KEY_GRACE_DAYS, default 7 days), and nothing brings a destroyed version back: tenant
// `beta` shows it refused then (409 key-version-destroyed).
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { KeyVersionDisabledError, type KeyVault } from '@lethe/vault';
import { loadConfig } from '../../apps/engine/src/config/engine-config.js';
import { startEngine, type RunningEngine } from '../../apps/engine/src/engine.js';
import { createLogger } from '../../apps/engine/src/logging/logger.js';
import { apiClient } from '../support/http-client.js';
import { waitUntil } from '../support/engine-process.js';

const tok = (name: string) => `${name}-${randomBytes(12).toString('hex')}`;
const T = { olga: tok('olga'), ann: tok('ann'), ben: tok('ben'), admin: tok('admin'), reader: tok('reader') };
const GRANT_HEADER = 'Break-Glass-Grant';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let db: TestDatabase;
let pool: pg.Pool;
let engine: RunningEngine;
let api: ReturnType<typeof apiClient>;
let vault: KeyVault;
let now = new Date('2027-01-04T09:00:00.000Z');
const keyOfVersion = async (versionId: string) => (await pool.query('select key_id from vault_key_versions where version_id = $1', [versionId])).rows[0]?.key_id as string | undefined;

/** Keeps the vault the engine uses, to look into it. */
function keepVault(inner: KeyVault): KeyVault {
  vault = inner;
  return inner;
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    LETHE_DATA_DIR: mkdtempSync(join(tmpdir(), 'lethe-enable-')),
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: now.toISOString(),
    LETHE_DEADLINE_POLL_MS: '100',
    LETHE_KEY_DETECTION_MS: '3600000',
    LETHE_MASTER_KEY: randomBytes(32).toString('base64'),
    LETHE_TOKENS: [`operator:olga:${T.olga}`, `approver:ann:${T.ann}`, `approver:ben:${T.ben}`, `admin:root:${T.admin}`, `ops-reader:dash:${T.reader}`].join(','),
  });
  const sink = new Writable({ write: (_c, _e, done) => done() });
  engine = await startEngine(config, { logger: createLogger('warn', sink), decorateVault: keepVault });
  api = apiClient(engine.url);
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await pool?.end();
  await db?.drop();
});

async function setClock(to: Date) {
  now = to;
  expect((await api('POST', '/v1/admin/clock', T.admin, { now: now.toISOString() })).status).toBe(200);
}
const keysOf = async (tenantId: string) => (await api('GET', `/v1/tenants/${tenantId}/keys`, T.reader)).body;
async function keysMatch(tenantId: string, check: (body: any) => boolean, what: string): Promise<any> {
  let body: any;
  await waitUntil(async () => {
    // Timers created by processors after the last clock move fire on the next tick.
    await api('POST', '/v1/admin/clock', T.admin, { now: now.toISOString() });
    body = await keysOf(tenantId);
    return body?.versions !== undefined && check(body);
  }, 15_000, what).catch((error: Error) => {
    throw new Error(`${error.message}; keys: ${JSON.stringify(body)}`);
  });
  return body;
}
const events = async (stream: string) =>
  (await pool.query<{ type: string; data: any }>('select event_type as type, data from lethe_events where stream_id = $1 order by stream_revision', [stream])).rows;
const enable = (tenantId: string, keyVersionId: string, grantId?: string) =>
  api('POST', `/v1/tenants/${tenantId}/keys/versions/${keyVersionId}/enable`, T.olga, undefined, grantId ? { [GRANT_HEADER]: grantId } : {});

/** Onboards the tenant, rotates, and waits until its first version is retired; returns both version ids. */
async function retiredFirstVersion(tenantId: string): Promise<{ v1: string; v2: string }> {
  const onboarded = await api('POST', '/v1/tenants', T.olga, { tenantId, jurisdiction: 'GB-ENG', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }], pitrRetentionDays: 1 });
  expect(onboarded.status).toBe(201);
  const v1 = (await keysMatch(tenantId, (b) => b.versions.length === 1, 'the ring opened')).versions[0].keyVersionId as string;
  // v1 protects db-1 for an hour before the rotation.
  await setClock(new Date(now.getTime() + HOUR));
  const rotated = await api('POST', `/v1/tenants/${tenantId}/keys/rotate`, T.olga);
  expect(rotated.status).toBe(202);
  const v2 = rotated.body.keyVersionId as string;
  await keysMatch(tenantId, (b) => b.databases.every((d: any) => d.keyVersionId === v2) && b.versions[0].retainUntil !== null, 'db-1 re-protected with v2');
  await setClock(new Date(now.getTime() + DAY + HOUR));
  await keysMatch(tenantId, (b) => b.versions[0].status === 'retired', 'v1 retired');
  return { v1, v2 };
}

async function approvedGrant(tenantIds: string[], operations: string[]): Promise<{ grantId: string; expiresAt: string }> {
  const requested = await api('POST', '/v1/break-glass', T.olga, { taskRef: 'INC-900', reason: 'restore an old backup of acme', scope: { tenantIds, operations }, durationMinutes: 60 });
  expect(requested.status).toBe(201);
  const { grantId } = requested.body;
  expect((await api('POST', `/v1/break-glass/${grantId}/approvals`, T.ann)).status).toBe(200);
  const approved = await api('POST', `/v1/break-glass/${grantId}/approvals`, T.ben);
  expect(approved.status).toBe(200);
  expect(approved.body).toMatchObject({ status: 'approved', active: true });
  return { grantId, expiresAt: approved.body.expiresAt };
}

describe('break-glass key-version.enable over HTTP', () => {
  it('enables a retired version only under a grant, until its window ends, then retires it again', async () => {
    const { v1, v2 } = await retiredFirstVersion('acme');
    // A backup of v1's time registered after v1 was retired: flagged unrestorable, and it must not
    // hold v1 once enabled (the version lives until the grant's window end, not the backup's expiry).
    const late = await api('POST', '/v1/tenants/acme/backups', T.olga, {
      backupId: 'late-full',
      databaseId: 'db-1',
      kind: 'full',
      coveredFrom: '2027-01-04T09:30:00.000Z',
      takenAt: '2027-01-04T09:30:00.000Z',
      expiresAt: new Date(now.getTime() + 30 * DAY).toISOString(),
    });
    expect(late.status).toBe(201);
    expect(late.body).toMatchObject({ unrestorable: { reason: 'key-version-retired', keyVersionIds: [v1] } });
    const dataKey = randomBytes(32);
    // Retired: disabled in the vault (destroyed only after its grace), so it wraps nothing.
    await expect(vault.wrap(v1, dataKey)).rejects.toBeInstanceOf(KeyVersionDisabledError);

    // No grant: 403, and the refusal recorded in the tenant's privileged-refusals stream.
    const refused = await enable('acme', v1);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'break-glass-required', operation: 'key-version.enable', reason: 'no-grant' });
    expect((await events('privileged-refusals-acme')).map((e) => [e.type, e.data.operation, e.data.reason])).toEqual([['BreakGlassUseRefused', 'key-version.enable', 'no-grant']]);

    // A grant that does not cover the operation: 403 too.
    const probeOnly = await approvedGrant(['acme'], ['probe.read']);
    expect((await enable('acme', v1, probeOnly.grantId)).body).toMatchObject({ reason: 'operation-out-of-scope' });

    const { grantId, expiresAt } = await approvedGrant(['acme'], ['key-version.enable']);
    const res = await enable('acme', v1, grantId);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ tenantId: 'acme', keyVersionId: v1, status: 'superseded', enabledUntil: expiresAt });
    // The vault wraps and unwraps with it again.
    const wrapped = await vault.wrap(v1, dataKey);
    expect((await vault.unwrap(v1, wrapped)).equals(dataKey)).toBe(true);
    const enabledEvents = (await events('keys-acme')).filter((e) => e.type === 'KeyVersionEnabled');
    expect(enabledEvents.map((e) => e.data)).toEqual([{ keyVersionId: v1, until: expiresAt, grantId, at: now.toISOString() }]);
    expect((await events(`break-glass-${grantId}`)).filter((e) => e.type === 'BreakGlassUsed').map((e) => e.data.operation)).toEqual(['key-version.enable']);
    // GET /keys shows it superseded again, with the window end, held until then (P3).
    const keys = await keysMatch('acme', (b) => b.versions[0].status === 'superseded', 'v1 superseded again');
    expect(keys.versions[0]).toMatchObject({ keyVersionId: v1, status: 'superseded', retiredAt: null, enabledUntil: expiresAt, retainUntil: expiresAt });

    // The same call again (a retry) changes nothing; a version not retired is refused.
    expect((await enable('acme', v1, grantId)).status).toBe(200);
    expect((await events('keys-acme')).filter((e) => e.type === 'KeyVersionEnabled')).toHaveLength(1);
    const active = await enable('acme', v2, grantId);
    expect(active.status).toBe(409);
    expect(active.body).toMatchObject({ code: 'key-version-not-retired' });
    expect((await enable('acme', 'vkv-00000000-0000-4000-8000-000000000000', grantId)).status).toBe(404);
    // Those two the key ring refused before the grant was checked: the grant counts the call and its retry only.
    expect((await events(`break-glass-${grantId}`)).filter((e) => e.type === 'BreakGlassUsed')).toHaveLength(2);
    // Nor does a tenant that does not exist get a grant checked, or a stream of refusals.
    expect((await enable('nobody', v1)).status).toBe(404);
    expect(await events('privileged-refusals-nobody')).toEqual([]);

    // The window ends: the version is retired again and disabled in the vault.
    await setClock(new Date(Date.parse(expiresAt) + 1000));
    const after = await keysMatch('acme', (b) => b.versions[0].status === 'retired', 'v1 retired again');
    expect(after.versions[0]).toMatchObject({ enabledUntil: null, retainUntil: expiresAt });
    const retirements = (await events('keys-acme')).filter((e) => e.type === 'KeyVersionRetired');
    expect(retirements.map((e) => e.data.keyVersionId)).toEqual([v1, v1]);
    expect(retirements[1].data.retainUntil).toBe(expiresAt);
    await waitUntil(async () => (await vault.listVersions((await keyOfVersion(v1))!))[0]?.state === 'disabled', 10_000, 'v1 disabled in the vault');
    // One destruction timer, at the new grace's end: the first retirement's was cancelled by the enabling.
    const destroyTimers = await pool.query<{ status: string; due_at: Date }>("select status, due_at from lethe_deadlines where kind = 'key-destroy' and payload->>'keyVersionId' = $1", [v1]);
    expect(destroyTimers.rows.map((r) => [r.status, r.due_at.toISOString()])).toEqual([['pending', after.versions[0].destroyAt]]);
    await expect(vault.unwrap(v1, wrapped)).rejects.toBeInstanceOf(KeyVersionDisabledError);
  }, 120_000);

  it("destroys a retired version when its grace ends; enabling it is refused then (409 key-version-destroyed), recording nothing", async () => {
    const { v1 } = await retiredFirstVersion('beta');
    const retired = (await keysOf('beta')).versions[0];
    expect(retired).toMatchObject({ status: 'retired', destroyAt: new Date(Date.parse(retired.retiredAt) + 7 * DAY).toISOString(), destroyedAt: null });
    const keyId = (await keyOfVersion(v1))!;
    expect((await vault.listVersions(keyId))[0]?.state).toBe('disabled');
    // One minute before the grace ends it is still there to enable; at its end it is destroyed.
    await setClock(new Date(Date.parse(retired.destroyAt) - 60_000));
    await keysMatch('beta', (b) => b.versions[0].status === 'retired', 'v1 still retired');
    expect((await vault.listVersions(keyId))[0]?.state).toBe('disabled');
    await setClock(new Date(Date.parse(retired.destroyAt)));
    const destroyed = await keysMatch('beta', (b) => b.versions[0].status === 'destroyed', 'v1 destroyed after its grace');
    expect(destroyed.versions[0]).toMatchObject({ keyVersionId: v1, retiredAt: retired.retiredAt, destroyedAt: retired.destroyAt, destroyAt: retired.destroyAt });
    await waitUntil(async () => (await vault.listVersions(keyId))[0]?.state === 'destroyed', 10_000, 'v1 destroyed in the vault');
    expect((await events('keys-beta')).filter((e) => e.type === 'KeyVersionDestroyed').map((e) => e.data)).toEqual([{ keyVersionId: v1, at: retired.destroyAt }]);

    const { grantId } = await approvedGrant(['beta'], ['key-version.enable']);
    const res = await enable('beta', v1, grantId);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'key-version-destroyed' });
    expect((await events('keys-beta')).filter((e) => e.type === 'KeyVersionEnabled')).toEqual([]);
  }, 120_000);
});
