/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// The backup policy (P3, issue 7 fault 8) over HTTP with the manual clock: a superseded key version
// is kept at least until its last use by any database plus the tenant's point-in-time window
// (pitrRetentionDays, 1..35, default 35), whether or not a backup has been registered; a backup
// registered after a version it needs was retired is recorded, flagged not restorable, and listed
// under P3 in /v1/compliance until it expires or is deleted.
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

const T = { op: `op-${randomBytes(10).toString('hex')}`, admin: `ad-${randomBytes(10).toString('hex')}`, reader: `rd-${randomBytes(10).toString('hex')}` };
const DAY = 24 * 60 * 60 * 1000;
const iso = (ms: number) => new Date(ms).toISOString();

let db: TestDatabase;
let pool: pg.Pool;
let engine: RunningEngine;
let api: ReturnType<typeof apiClient>;
// Monday 1 March 2027, 09:00 UTC.
let now = new Date('2027-03-01T09:00:00.000Z');

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', reportIdleError);
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    LETHE_DATA_DIR: mkdtempSync(join(tmpdir(), 'lethe-pitr-')),
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: now.toISOString(),
    LETHE_DEADLINE_POLL_MS: '100',
    LETHE_KEY_DETECTION_MS: '3600000',
    LETHE_MASTER_KEY: randomBytes(32).toString('base64'),
    LETHE_TOKENS: `operator:${T.op},admin:${T.admin},ops-reader:${T.reader}`,
  });
  engine = await startEngine(config, { logger: createLogger('warn', new Writable({ write: (_c, _e, done) => done() })) });
  api = apiClient(engine.url);
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await pool?.end();
  await db?.drop();
});

const onboard = (tenantId: string, extra: Record<string, unknown> = {}) =>
  api('POST', '/v1/tenants', T.op, { tenantId, jurisdiction: 'GB-ENG', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }], ...extra });
const backup = (tenantId: string, body: Record<string, unknown>) => api('POST', `/v1/tenants/${tenantId}/backups`, T.op, body);
const restoreCheck = (tenantId: string, backupId: string) => api('POST', `/v1/tenants/${tenantId}/backups/${backupId}/restore-check`, T.op);
const p3 = async () => (await api('GET', '/v1/compliance', T.reader)).body.P3.violations as any[];

async function setClock(to: Date) {
  now = to;
  const res = await api('POST', '/v1/admin/clock', T.admin, { now: now.toISOString() });
  expect(res.status).toBe(200);
}

/** Polls GET /keys (ticking the clock, so timers created meanwhile fire) until `check` holds. */
async function keysMatch(tenantId: string, check: (body: any) => boolean, what: string): Promise<any> {
  let body: any;
  await waitUntil(async () => {
    await api('POST', '/v1/admin/clock', T.admin, { now: now.toISOString() });
    body = (await api('GET', `/v1/tenants/${tenantId}/keys`, T.reader)).body;
    return body?.versions !== undefined && check(body);
  }, 10_000, `${what} (last: ${JSON.stringify(body)})`);
  return body;
}

/** Rotates now and waits until every database is on the new version; returns [old, new] and when the last one moved. */
async function rotate(tenantId: string): Promise<{ v1: string; v2: string; lastUse: string; keys: any }> {
  const res = await api('POST', `/v1/tenants/${tenantId}/keys/rotate`, T.op);
  expect(res.status).toBe(202);
  const v2 = res.body.keyVersionId;
  const keys = await keysMatch(tenantId, (b) => b.databases.every((d: any) => d.keyVersionId === v2) && b.versions[0].status !== 'active', 're-protection');
  const lastUse = keys.databases.map((d: any) => d.since).sort().at(-1);
  return { v1: keys.versions[0].keyVersionId, v2, lastUse, keys };
}

describe('the backup policy at onboarding and by PATCH', () => {
  it('defaults pitrRetentionDays to 35, takes 1..35, and refuses anything else with 400 naming the field, storing nothing', async () => {
    expect((await onboard('policy-default')).status).toBe(201);
    expect((await keysMatch('policy-default', () => true, 'the ring')).pitrRetentionDays).toBe(35);
    expect((await onboard('policy-short', { pitrRetentionDays: 1 })).status).toBe(201);
    expect((await keysMatch('policy-short', () => true, 'the ring')).pitrRetentionDays).toBe(1);
    for (const bad of [0, 36, 2.5, '7', null]) {
      const res = await onboard('policy-bad', { pitrRetentionDays: bad });
      expect({ bad, status: res.status, errors: res.body.errors }).toEqual({ bad, status: 400, errors: [{ field: 'pitrRetentionDays', rule: 'must be a whole number of days from 1 to 35' }] });
    }
    expect((await api('GET', '/v1/tenants/policy-bad', T.reader)).status).toBe(404);
    expect((await pool.query(`select 1 from lethe_events where stream_id in ('tenant-policy-bad', 'keys-policy-bad')`)).rowCount).toBe(0);

    const bad = await api('PATCH', '/v1/tenants/policy-default', T.op, { pitrRetentionDays: 36 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ field: 'pitrRetentionDays', rule: 'must be a whole number of days from 1 to 35' }]);
    expect((await api('PATCH', '/v1/tenants/policy-default', T.op, {})).status).toBe(400);
    expect((await api('PATCH', '/v1/tenants/nobody', T.op, { pitrRetentionDays: 7 })).status).toBe(404);
    const ok = await api('PATCH', '/v1/tenants/policy-default', T.op, { pitrRetentionDays: 7, rotationPeriodDays: 100 });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ tenantId: 'policy-default', rotationPeriodDays: 100, pitrRetentionDays: 7 });
    expect((await keysMatch('policy-default', (b) => b.pitrRetentionDays === 7, 'the new window')).rotationPeriodDays).toBe(100);
  });
});

describe('a version is kept for the point-in-time window after its last use', () => {
  it('the instance of the issue: rotate at 12:00, a PITR backup covering 06:00-24:00 is registered later and still restores', async () => {
    expect((await onboard('pitr-default', { databases: [{ databaseId: 'db-1' }] })).status).toBe(201);
    await setClock(new Date('2027-03-01T12:00:00.000Z'));
    const { v1, v2, lastUse, keys } = await rotate('pitr-default');
    // No backup registered yet: the old version is kept 35 days after its last use anyway.
    expect(keys.versions[0]).toMatchObject({ keyVersionId: v1, status: 'superseded', retainUntil: iso(Date.parse(lastUse) + 35 * DAY), backupCount: 0 });
    // At midnight the platform reports the day's point-in-time chain, 06:00-24:00.
    await setClock(new Date('2027-03-02T00:00:00.000Z'));
    const res = await backup('pitr-default', { backupId: 'pitr-0301', databaseId: 'db-1', kind: 'pitr', coveredFrom: '2027-03-01T06:00:00Z', takenAt: '2027-03-02T00:00:00Z', expiresAt: '2027-03-09T00:00:00Z' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ keyVersionIds: [v1, v2], protection: 'customer-key', unrestorable: null });
    expect((await restoreCheck('pitr-default', 'pitr-0301')).body).toEqual({ restorable: true, protection: 'customer-key', keyVersionId: v2 });
    const after = await keysMatch('pitr-default', (b) => b.versions[0].backupCount === 1, 'the backup holding v1');
    expect(after.versions[0]).toMatchObject({ status: 'superseded', retainUntil: iso(Date.parse(lastUse) + 35 * DAY) });
    // Still there the day before the floor, retired at it.
    await setClock(new Date(Date.parse(lastUse) + 35 * DAY - 60_000));
    expect((await keysMatch('pitr-default', () => true, 'keys')).versions[0].status).toBe('superseded');
    await setClock(new Date(Date.parse(lastUse) + 35 * DAY));
    const retired = await keysMatch('pitr-default', (b) => b.versions[0].status === 'retired', 'retirement at the floor');
    expect(retired.versions[0].retainUntil).toBe(iso(Date.parse(lastUse) + 35 * DAY));
  }, 60_000);

  it('a changed window moves the retention timer', async () => {
    expect((await onboard('pitr-patch', { databases: [{ databaseId: 'db-1' }] })).status).toBe(201);
    const { lastUse } = await rotate('pitr-patch');
    expect((await api('PATCH', '/v1/tenants/pitr-patch', T.op, { pitrRetentionDays: 2 })).status).toBe(200);
    await keysMatch('pitr-patch', (b) => b.versions[0].retainUntil === iso(Date.parse(lastUse) + 2 * DAY), 'retainUntil after the PATCH');
    // The read model and the key-ring saga follow the log independently: wait for the saga to move the timer.
    const moved = [iso(Date.parse(lastUse) + 2 * DAY)];
    let timers: string[] = [];
    await waitUntil(async () => {
      const timer = await pool.query(`select due_at from lethe_deadlines where kind = 'key-retire' and payload->>'tenantId' = 'pitr-patch' and status = 'pending'`);
      timers = timer.rows.map((r) => r.due_at.toISOString());
      return JSON.stringify(timers) === JSON.stringify(moved);
    }, 10_000, () => `the retirement timer moved (last: ${JSON.stringify(timers)})`);
    expect(timers).toEqual(moved);
    await setClock(new Date(Date.parse(lastUse) + 2 * DAY));
    await keysMatch('pitr-patch', (b) => b.versions[0].status === 'retired', 'retirement at the moved floor');
  }, 30_000);
});

describe('a backup registered after a version it needs was retired', () => {
  it('is recorded, flagged not restorable with the reason, and listed under P3 until deleted or expired', async () => {
    const day = new Date(now.getTime() + DAY).toISOString().slice(0, 10);
    await setClock(new Date(`${day}T12:00:00.000Z`));
    expect((await onboard('pitr-short', { pitrRetentionDays: 1, databases: [{ databaseId: 'db-1' }] })).status).toBe(201);
    const { v1, v2, lastUse } = await rotate('pitr-short');
    await keysMatch('pitr-short', (b) => b.versions[0].retainUntil === iso(Date.parse(lastUse) + DAY), 'the 1-day floor');
    // Two days later the version is long retired (disabled in the vault, within its 7-day grace).
    await setClock(new Date(now.getTime() + 2 * DAY));
    await keysMatch('pitr-short', (b) => b.versions[0].status === 'retired', 'retirement');
    expect(await p3()).toEqual([]);

    const chain = { databaseId: 'db-1', kind: 'pitr', coveredFrom: `${day}T06:00:00Z`, takenAt: `${day}T23:59:59Z` };
    const late = await backup('pitr-short', { ...chain, backupId: 'late-pitr', expiresAt: iso(now.getTime() + 5 * DAY) });
    expect(late.status).toBe(201);
    expect(late.body).toMatchObject({ keyVersionIds: [v1, v2], restoreKeyVersionId: v2, unrestorable: { reason: 'key-version-retired', keyVersionIds: [v1] } });
    // Its restore version is the retired one too: nothing can be wrapped, it is still recorded.
    const full = await backup('pitr-short', { databaseId: 'db-1', kind: 'full', coveredFrom: `${day}T07:00:00Z`, takenAt: `${day}T07:00:00Z`, backupId: 'late-full', expiresAt: iso(now.getTime() + 60 * 60_000) });
    expect(full.status).toBe(201);
    expect(full.body).toMatchObject({ keyVersionIds: [v1], restoreKeyVersionId: v1, unrestorable: { reason: 'key-version-retired', keyVersionIds: [v1] } });
    // The same request again is the same backup.
    expect((await backup('pitr-short', { ...chain, backupId: 'late-pitr', expiresAt: iso(now.getTime() + 5 * DAY) })).status).toBe(201);

    for (const backupId of ['late-pitr', 'late-full']) {
      const res = await restoreCheck('pitr-short', backupId);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ restorable: false, protection: 'customer-key', keyVersionId: v1, reason: 'key-version-retired', detail: expect.stringContaining(v1) });
    }
    const listed = (await api('GET', '/v1/tenants/pitr-short/backups', T.reader)).body.items;
    expect(listed.find((b: any) => b.backupId === 'late-pitr')).toMatchObject({ unrestorable: { reason: 'key-version-retired', keyVersionIds: [v1] } });

    let violations: any[] = [];
    await waitUntil(async () => (violations = (await p3()).filter((v) => v.tenantId === 'pitr-short')).length === 2, 10_000, 'P3 lists both backups');
    expect(violations).toEqual([
      { tenantId: 'pitr-short', backupId: 'late-full', keyVersionIds: [v1], expiresAt: iso(now.getTime() + 60 * 60_000), problem: 'backup-needs-retired-key-version', violationId: 'P3:backup-needs-retired-key-version:pitr-short:late-full' },
      { tenantId: 'pitr-short', backupId: 'late-pitr', keyVersionIds: [v1], expiresAt: iso(now.getTime() + 5 * DAY), problem: 'backup-needs-retired-key-version', violationId: 'P3:backup-needs-retired-key-version:pitr-short:late-pitr' },
    ]);
    // The full one expires, the PITR one is deleted: P3 is clear again.
    await setClock(new Date(now.getTime() + 2 * 60 * 60_000));
    expect((await p3()).map((v) => v.backupId)).toEqual(['late-pitr']);
    expect((await api('POST', '/v1/tenants/pitr-short/backups/late-pitr/deleted', T.op)).status).toBe(200);
    await waitUntil(async () => (await p3()).length === 0, 10_000, 'P3 clear after the deletion');
    expect((await restoreCheck('pitr-short', 'late-pitr')).body).toMatchObject({ restorable: false, reason: 'backup-deleted' });
  }, 60_000);
});
