/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// Key versions end to end over HTTP with the manual clock: rotation (policy, manual, detected),
// re-protection within 24 hours, databases added later, backups and retention, restore checks,
// compliance, and a shred overriding retention.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { LocalKeyVault, loadMasterKey, type KeyVault } from '@lethe/vault';
import { loadConfig } from '../../apps/engine/src/config/engine-config.js';
import { startEngine, type RunningEngine } from '../../apps/engine/src/engine.js';
import { createLogger } from '../../apps/engine/src/logging/logger.js';
import { apiClient } from '../support/http-client.js';
import { waitUntil } from '../support/engine-process.js';

const T = { op: `op-${randomBytes(10).toString('hex')}`, admin: `ad-${randomBytes(10).toString('hex')}`, reader: `rd-${randomBytes(10).toString('hex')}`, cs: `cs-${randomBytes(10).toString('hex')}` };
const MASTER_KEY = randomBytes(32);
const DAY = 24 * 60 * 60 * 1000;

let db: TestDatabase;
let pool: pg.Pool;
let engine: RunningEngine;
let api: ReturnType<typeof apiClient>;
/** Tenants whose wrap calls fail (a vault outage during re-protection). */
const wrapOutage = new Set<string>();
const versionOwner = new Map<string, string>();
let now = new Date('2027-01-04T09:00:00.000Z');

function outageVault(inner: KeyVault): KeyVault {
  return {
    capabilities: inner.capabilities,
    createKey: async (tenantId) => {
      const key = await inner.createKey(tenantId);
      versionOwner.set(key.keyId, tenantId);
      return key;
    },
    createVersion: (k, r) => inner.createVersion(k, r),
    listVersions: (k) => inner.listVersions(k),
    wrap: async (v, p) => {
      for (const t of wrapOutage) if ((await ownerOfVersion(v)) === t) throw Object.assign(new Error('vault unavailable'), { name: 'VaultUnavailableError' });
      return inner.wrap(v, p);
    },
    unwrap: (v, w) => inner.unwrap(v, w),
    disable: (v) => inner.disable(v),
    enable: (v) => inner.enable(v),
    destroy: (v) => inner.destroy(v),
    destroyKey: (k) => inner.destroyKey(k),
  };
}

async function ownerOfVersion(versionId: string): Promise<string | undefined> {
  const r = await pool.query('select k.tenant_id from vault_key_versions v join vault_keys k using (key_id) where v.version_id = $1', [versionId]);
  return r.rows[0]?.tenant_id;
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    LETHE_DATA_DIR: mkdtempSync(join(tmpdir(), 'lethe-keys-')),
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: now.toISOString(),
    LETHE_DEADLINE_POLL_MS: '100',
    LETHE_KEY_DETECTION_MS: '3600000',
    LETHE_MASTER_KEY: MASTER_KEY.toString('base64'),
    LETHE_TOKENS: `operator:${T.op},admin:${T.admin},ops-reader:${T.reader},contract-system:${T.cs}`,
  });
  const sink = new Writable({ write: (_c, _e, done) => done() });
  engine = await startEngine(config, { logger: createLogger('warn', sink), decorateVault: outageVault });
  api = apiClient(engine.url);
}, 60_000);

afterAll(async () => {
  await engine?.close();
  await pool?.end();
  await db?.drop();
});

const onboard = (tenantId: string, extra: Record<string, unknown> = {}) =>
  api('POST', '/v1/tenants', T.op, { tenantId, jurisdiction: 'GB-ENG', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }], ...extra });
const keysOf = (tenantId: string) => api('GET', `/v1/tenants/${tenantId}/keys`, T.reader);
async function advance(ms: number) {
  now = new Date(now.getTime() + ms);
  const res = await api('POST', '/v1/admin/clock', T.admin, { now: now.toISOString() });
  expect(res.status).toBe(200);
}
async function keysMatch(tenantId: string, check: (body: any) => boolean, what: string): Promise<any> {
  let body: any;
  await waitUntil(async () => {
    // Timers created by processors after the last clock move fire on the next tick.
    await api('POST', '/v1/admin/clock', T.admin, { now: now.toISOString() });
    body = (await keysOf(tenantId)).body;
    return body?.versions !== undefined && check(body);
  }, 10_000, what).catch(async (error: Error) => {
    throw new Error(`${error.message}; keys: ${JSON.stringify(body)}; events: ${(await eventTypes(tenantId)).join(',')}; timers: ${JSON.stringify((await pool.query(`select id, status, due_at, attempts, last_error from lethe_deadlines where payload->>'tenantId' = $1 or kind = 'key-detection'`, [tenantId])).rows)}`);
  });
  return body;
}
const eventTypes = async (tenantId: string) =>
  (await pool.query(`select event_type from lethe_events where stream_id = $1 order by stream_revision`, [`keys-${tenantId}`])).rows.map((r) => r.event_type);

describe('rotation', () => {
  it('refuses a rotation period above 730 days, at onboarding and by PATCH', async () => {
    const res = await onboard('too-long', { rotationPeriodDays: 731 });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ field: 'rotationPeriodDays', rule: expect.stringContaining('730') }]);
    expect((await onboard('periodic', { rotationPeriodDays: 90, pitrRetentionDays: 1 })).status).toBe(201);
    expect((await api('PATCH', '/v1/tenants/periodic', T.op, { rotationPeriodDays: 800 })).status).toBe(400);
    const ok = await api('PATCH', '/v1/tenants/periodic', T.op, { rotationPeriodDays: 60 });
    expect(ok.status).toBe(200);
    expect(ok.body.rotationPeriodDays).toBe(60);
  });

  it('creates a version by policy when the newest reaches the period, and re-protects every database', async () => {
    // 'periodic' was onboarded now with a 60-day period.
    const before = await keysMatch('periodic', (b) => b.versions.length === 1, 'the key ring of periodic');
    await advance(59 * DAY);
    expect((await keysMatch('periodic', () => true, 'keys')).versions).toHaveLength(1);
    await advance(1 * DAY);
    // No backup needs the old version: it is kept for the point-in-time window (1 day) after the
    // last database left it, then retired.
    const rotatedAt = now.toISOString();
    const moved = await keysMatch(
      'periodic',
      (b) => b.versions.length === 2 && b.databases.every((d: any) => d.keyVersionId === b.versions[1].keyVersionId) && b.versions[0].retainUntil !== null,
      'a policy rotation and re-protection',
    );
    expect(moved.versions[0]).toMatchObject({ status: 'superseded', retainUntil: new Date(now.getTime() + DAY).toISOString() });
    await advance(1 * DAY);
    const after = await keysMatch('periodic', (b) => b.versions[0].status === 'retired', 'retirement after the point-in-time window');
    expect(after.versions.map((v: any) => [v.source, v.status])).toEqual([
      ['onboarding', 'retired'],
      ['policy', 'active'],
    ]);
    expect(after.versions[1].createdAt).toBe(rotatedAt);
    expect(after.versions[0].retiredAt).toBe(now.toISOString());
    expect(after.versions[0].keyVersionId).toBe(before.versions[0].keyVersionId);
    expect(await eventTypes('periodic')).toEqual(['KeyRingOpened', 'RotationPeriodChanged', 'KeyVersionAdded', 'DatabaseReprotected', 'DatabaseReprotected', 'KeyVersionRetired']);
  });

  it('rotates on demand (202 with the new version) and refuses for a client-held key', async () => {
    expect((await onboard('manual-co')).status).toBe(201);
    const res = await api('POST', '/v1/tenants/manual-co/keys/rotate', T.op);
    expect(res.status).toBe(202);
    const body = await keysMatch('manual-co', (b) => b.databases.every((d: any) => d.keyVersionId === res.body.keyVersionId), 're-protection onto the manual version');
    expect(body.versions.at(-1)).toMatchObject({ keyVersionId: res.body.keyVersionId, source: 'manual', status: 'active' });
    expect((await onboard('client-co', { keyCustody: 'client' })).status).toBe(201);
    expect((await api('POST', '/v1/tenants/client-co/keys/rotate', T.op)).status).toBe(409);
  });

  it('detects a version the client created in the vault, and moves the databases onto it', async () => {
    const masterKey = await loadMasterKey({ env: MASTER_KEY.toString('base64'), dataDir: mkdtempSync(join(tmpdir(), 'lethe-k-')) });
    const vault = new LocalKeyVault(pool, masterKey, new ManualClock(now));
    const { rows } = await pool.query(`select key_id from vault_keys where tenant_id = 'client-co'`);
    const created = await vault.createVersion(rows[0].key_id);
    // Detection polls the vault every hour (LETHE_KEY_DETECTION_MS); a ring projected just after
    // a poll is seen by the next one.
    for (let i = 0; i < 3 && !(await eventTypes('client-co')).includes('KeyVersionAdded'); i++) {
      await advance(60 * 60 * 1000 + 1000);
      await new Promise((r) => setTimeout(r, 300));
    }
    const body = await keysMatch('client-co', (b) => b.versions.some((v: any) => v.keyVersionId === created.versionId) && b.databases.every((d: any) => d.keyVersionId === created.versionId), 'detection and re-protection');
    expect(body.versions.at(-1)).toMatchObject({ source: 'detected', status: 'active' });
    expect(await eventTypes('client-co')).toContain('KeyVersionAdded');
  });
});

describe('re-protection within 24 hours', () => {
  it('flags databases still on an old version after 24 hours, keeps trying, and clears once they move', async () => {
    expect((await onboard('slowvault')).status).toBe(201);
    wrapOutage.add('slowvault');
    const res = await api('POST', '/v1/tenants/slowvault/keys/rotate', T.op);
    expect(res.status).toBe(202);
    await advance(12 * 60 * 60 * 1000);
    expect((await api('GET', '/v1/compliance', T.reader)).body.P2.violations.map((v: any) => v.tenantId)).not.toContain('slowvault');
    await advance(12 * 60 * 60 * 1000 + 60_000);
    await waitUntil(async () => (await eventTypes('slowvault')).filter((t) => t === 'DatabaseRotationOverdue').length === 2, 10_000, 'overdue flags');
    const p2 = (await api('GET', '/v1/compliance', T.reader)).body.P2.violations;
    expect(p2).toContainEqual(expect.objectContaining({ tenantId: 'slowvault', keyVersionId: res.body.keyVersionId, violationId: `P2:slowvault:${res.body.keyVersionId}` }));
    wrapOutage.delete('slowvault');
    await advance(10 * 60_000);
    await keysMatch('slowvault', (b) => b.databases.every((d: any) => d.keyVersionId === res.body.keyVersionId), 'late re-protection');
    expect((await api('GET', '/v1/compliance', T.reader)).body.P2.violations.map((v: any) => v.tenantId)).not.toContain('slowvault');
  });

  it('starts a database added later on the newest version', async () => {
    const res = await api('POST', '/v1/tenants/manual-co/databases', T.op, { databaseId: 'db-3' });
    expect(res.status).toBe(201);
    const keys = await keysMatch('manual-co', (b) => b.databases.length === 3, 'the new database');
    expect(res.body.keyVersionId).toBe(keys.versions.at(-1).keyVersionId);
    expect((await api('POST', '/v1/tenants/manual-co/databases', T.op, { databaseId: 'db-3' })).status).toBe(409);
  });
});

describe('backups and retention', () => {
  const backup = (tenantId: string, body: Record<string, unknown>) => api('POST', `/v1/tenants/${tenantId}/backups`, T.op, body);
  /** The ids on the first page of GET /backups with this query. */
  const backupIds = async (tenantId: string, query: string): Promise<string[]> => {
    const res = await api('GET', `/v1/tenants/${tenantId}/backups?${query}`, T.reader);
    expect(res.status).toBe(200);
    return res.body.items.map((b: any) => b.backupId);
  };

  it('refuses bad backups with 400 naming the field, and unknown backups with 404', async () => {
    // A 1-day point-in-time window, so the backups below are what holds the old version.
    expect((await onboard('backed', { pitrRetentionDays: 1 })).status).toBe(201);
    const t = now.toISOString();
    const bad1 = await backup('backed', { backupId: 'b-x', databaseId: 'db-1', kind: 'full', coveredFrom: t, takenAt: t, expiresAt: t });
    expect(bad1.status).toBe(400);
    expect(bad1.body.errors[0].field).toBe('expiresAt');
    const later = new Date(now.getTime() + DAY).toISOString();
    expect((await backup('backed', { backupId: 'b-x', databaseId: 'db-1', kind: 'full', coveredFrom: later, takenAt: t, expiresAt: later })).body.errors[0].field).toBe('coveredFrom');
    expect((await backup('backed', { backupId: 'b-x', databaseId: 'nope', kind: 'full', coveredFrom: t, takenAt: t, expiresAt: later })).body.errors[0].field).toBe('databaseId');
    expect((await backup('backed', { backupId: 'b-x', databaseId: 'db-1', kind: 'weekly', coveredFrom: t, takenAt: t, expiresAt: later })).status).toBe(400);
    expect((await api('PATCH', '/v1/tenants/backed/backups/none', T.op, { expiresAt: later })).status).toBe(404);
    expect((await api('POST', '/v1/tenants/backed/backups/none/deleted', T.op)).status).toBe(404);
    expect((await api('POST', '/v1/tenants/backed/backups/none/restore-check', T.op)).status).toBe(404);
  });

  it('keeps a superseded version exactly as long as the backups that need it, PATCHes and deletions included', async () => {
    const t0 = now.getTime();
    const iso = (ms: number) => new Date(ms).toISOString();
    // A PITR backup covering the day before the rotation, a full one before it, kept 7 and 35 days.
    expect((await backup('backed', { backupId: 'pitr-1', databaseId: 'db-1', kind: 'pitr', coveredFrom: iso(t0 - DAY), takenAt: iso(t0), expiresAt: iso(t0 + 7 * DAY) })).status).toBe(201);
    expect((await backup('backed', { backupId: 'full-1', databaseId: 'db-2', kind: 'full', coveredFrom: iso(t0), takenAt: iso(t0), expiresAt: iso(t0 + 35 * DAY) })).status).toBe(201);
    const v1 = (await keysMatch('backed', (b) => b.versions.length === 1, 'keys')).versions[0].keyVersionId;
    const rotated = await api('POST', '/v1/tenants/backed/keys/rotate', T.op);
    let keys = await keysMatch('backed', (b) => b.versions[0].status === 'superseded' && b.versions[0].retainUntil === iso(t0 + 35 * DAY), 'retainUntil from the full backup');
    expect(keys.versions[0]).toMatchObject({ keyVersionId: v1, backupCount: 2 });
    expect(keys.versions[0]).not.toHaveProperty('backupIds');
    expect(await backupIds('backed', `keyVersionId=${v1}`)).toEqual(['full-1', 'pitr-1']);
    // A PITR backup whose window straddles the rotation needs both versions.
    const t1 = now.getTime() + 60_000;
    await advance(60_000 * 2);
    const straddle = await backup('backed', { backupId: 'pitr-2', databaseId: 'db-1', kind: 'pitr', coveredFrom: iso(t0 - 60_000), takenAt: iso(t1), expiresAt: iso(t1 + 50 * DAY) });
    expect(straddle.body.keyVersionIds).toEqual([v1, rotated.body.keyVersionId]);
    await keysMatch('backed', (b) => b.versions[0].retainUntil === iso(t1 + 50 * DAY), 'retainUntil from the straddling backup');
    // Shorten it by PATCH, then delete the full backup early: retainUntil follows.
    expect((await api('PATCH', '/v1/tenants/backed/backups/pitr-2', T.op, { expiresAt: iso(t1 + 10 * DAY) })).status).toBe(200);
    await keysMatch('backed', (b) => b.versions[0].retainUntil === iso(t0 + 35 * DAY), 'retainUntil after the PATCH');
    expect((await api('POST', '/v1/tenants/backed/backups/full-1/deleted', T.op)).status).toBe(200);
    keys = await keysMatch('backed', (b) => b.versions[0].retainUntil === iso(t1 + 10 * DAY), 'retainUntil after the deletion');
    expect(keys.versions[0].backupCount).toBe(2);
    expect(await backupIds('backed', `keyVersionId=${v1}&status=live`)).toEqual(['pitr-1', 'pitr-2']);
    expect(await backupIds('backed', `keyVersionId=${v1}&status=deleted`)).toEqual(['full-1']);
    // Every live backup restores; not yet retired.
    expect((await api('POST', '/v1/tenants/backed/backups/pitr-1/restore-check', T.op)).body).toEqual({ restorable: true, protection: 'customer-key', keyVersionId: v1 });
    expect((await api('POST', '/v1/tenants/backed/backups/full-1/restore-check', T.op)).body).toMatchObject({ restorable: false, reason: 'backup-deleted' });
    // One minute before retainUntil it is still there; right after, it is retired in the vault.
    await advance(t1 + 10 * DAY - now.getTime() - 60_000);
    keys = await keysMatch('backed', () => true, 'keys');
    expect(keys.versions[0].status).toBe('superseded');
    expect((await api('POST', '/v1/tenants/backed/backups/pitr-2/restore-check', T.op)).body.restorable).toBe(true);
    await advance(60_000);
    keys = await keysMatch('backed', (b) => b.versions[0].status === 'retired', 'retirement at retainUntil');
    expect(keys.versions[0].retiredAt).toBe(iso(t1 + 10 * DAY));
    expect(keys.versions[0].retainUntil).toBe(iso(t1 + 10 * DAY));
    // Retired: disabled in the vault (destroyed only after its grace), so nothing it wrapped unwraps.
    const expired = await api('POST', '/v1/tenants/backed/backups/pitr-1/restore-check', T.op);
    expect(expired.body).toMatchObject({ restorable: false, reason: 'key-version-disabled' });
    // A backup taken after the rotation restores with the new version, which is still live.
    expect((await api('POST', '/v1/tenants/backed/backups/pitr-2/restore-check', T.op)).body).toEqual({ restorable: true, protection: 'customer-key', keyVersionId: rotated.body.keyVersionId });
    expect((await api('GET', '/v1/compliance', T.reader)).body.P3.violations).toEqual([]);
  }, 60_000);

  it('lists backups with the versions they need and their status, in pages', async () => {
    const t = now.toISOString();
    expect((await backup('backed', { backupId: 'full-2', databaseId: 'db-1', kind: 'full', coveredFrom: t, takenAt: t, expiresAt: new Date(now.getTime() + 30 * DAY).toISOString() })).status).toBe(201);
    await waitUntil(async () => (await backupIds('backed', '')).length === 4, 10_000, 'full-2 listed');
    const res = await api('GET', '/v1/tenants/backed/backups', T.reader);
    expect(res.status).toBe(200);
    expect(res.body.items.map((b: any) => [b.backupId, b.status])).toEqual([
      ['full-1', 'deleted'],
      ['pitr-1', 'expired'],
      ['pitr-2', 'expired'],
      ['full-2', 'live'],
    ]);
    expect(res.body.items[2].keyVersionIds).toHaveLength(2);
    expect(res.body.nextCursor).toBeNull();
    const first = await api('GET', '/v1/tenants/backed/backups?limit=2', T.reader);
    expect(first.body.items.map((b: any) => b.backupId)).toEqual(['full-1', 'pitr-1']);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api('GET', `/v1/tenants/backed/backups?limit=2&cursor=${first.body.nextCursor}`, T.reader);
    expect(second.body.items.map((b: any) => b.backupId)).toEqual(['pitr-2', 'full-2']);
    expect(second.body.nextCursor).toBeNull();
    expect(await backupIds('backed', 'status=expired')).toEqual(['pitr-1', 'pitr-2']);
    expect(await backupIds('backed', 'status=live')).toEqual(['full-2']);
    expect(await backupIds('backed', 'keyVersionId=unknown-version')).toEqual([]);
  });

  it('refuses bad listing parameters with 400 naming the field and rule, and an unknown tenant with 404', async () => {
    const cases: [string, string, string][] = [
      ['limit=0', 'limit', 'must be a whole number from 1 to 1000'],
      ['limit=1001', 'limit', 'must be a whole number from 1 to 1000'],
      ['limit=ten', 'limit', 'must be a whole number from 1 to 1000'],
      ['status=gone', 'status', 'must be one of live, expired, deleted'],
      ['cursor=not-a-cursor', 'cursor', 'must be the nextCursor of a previous page of this listing'],
      ['sort=takenAt', 'sort', ''],
    ];
    for (const [query, field, rule] of cases) {
      const res = await api('GET', `/v1/tenants/backed/backups?${query}`, T.reader);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([expect.objectContaining({ field, ...(rule ? { rule } : {}) })]);
    }
    // A cursor of the key-version listing is not one of the backup listing.
    const versions = await api('GET', '/v1/tenants/backed/keys?limit=1', T.reader);
    expect(versions.body.versions).toHaveLength(1);
    const wrong = await api('GET', `/v1/tenants/backed/backups?cursor=${versions.body.nextCursor}`, T.reader);
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].field).toBe('cursor');
    expect((await api('GET', '/v1/tenants/backed/keys?limit=0', T.reader)).body.errors[0].field).toBe('limit');
    expect((await api('GET', '/v1/tenants/nobody/backups', T.reader)).status).toBe(404);
  });
});

describe('compliance and shreds', () => {
  it('reports a client-held key older than 730 days under P1', async () => {
    await advance(731 * DAY);
    const p1 = (await api('GET', '/v1/compliance', T.reader)).body.P1.violations;
    expect(p1.map((v: any) => v.tenantId)).toContain('client-co');
    expect(p1.find((v: any) => v.tenantId === 'client-co')).toMatchObject({ keyCustody: 'client', limitDays: 730 });
    // Each violation names the id the compliance watch opened it under (compliance-<tenantId>), so the
    // report, the stream and the compliance.violation-* integration events can be matched.
    const opened = async () =>
      (await pool.query(`select data->>'violationId' as id from lethe_events where stream_id = 'compliance-client-co' and event_type = 'ComplianceViolationOpened' and data->>'promise' = 'P1'`)).rows.map((r) => r.id);
    await waitUntil(async () => (await opened()).length > 0, 10_000, 'the watch opens the P1 violation');
    const report = (await api('GET', '/v1/compliance', T.reader)).body;
    const reported = report.P1.violations.find((v: any) => v.tenantId === 'client-co');
    expect(reported.violationId).toBe(`P1:${reported.tenantId}:${reported.newestKeyVersionId}`);
    expect(await opened()).toContain(reported.violationId);
    expect(report.items).toContainEqual(expect.objectContaining({ promise: 'P1', tenantId: 'client-co', violationId: reported.violationId }));
  }, 60_000);

  it('lets a shred override retention: every version destroyed, retention timers cancelled', async () => {
    expect((await onboard('leaving')).status).toBe(201);
    const t = now.getTime();
    const iso = (ms: number) => new Date(ms).toISOString();
    expect((await api('POST', '/v1/tenants/leaving/backups', T.op, { backupId: 'ltr-1', databaseId: 'db-1', kind: 'ltr', coveredFrom: iso(t), takenAt: iso(t), expiresAt: iso(t + 1000 * DAY) })).status).toBe(201);
    expect((await api('POST', '/v1/tenants/leaving/keys/rotate', T.op)).status).toBe(202);
    await keysMatch('leaving', (b) => b.versions[0].status === 'superseded' && b.versions[0].retainUntil !== null, 'a retained version');
    const req = await api('POST', '/v1/tenants/leaving/deletion-requests', T.cs, { requestId: 'bye' });
    expect(req.status).toBe(202);
    await advance(new Date(req.body.executeAt).getTime() - now.getTime() + 1000);
    const keys = await keysMatch('leaving', (b) => b.versions.every((v: any) => v.status === 'destroyed'), 'all versions destroyed');
    expect(keys.versions).toHaveLength(2);
    // The key-ring saga cancels them as it passes KeyRingDestroyed, beside (not before) the read model.
    const retentionTimers = () => pool.query(`select kind, status from lethe_deadlines where payload->>'tenantId' = 'leaving' and kind in ('key-retire', 'key-rotation')`);
    await waitUntil(async () => (await retentionTimers()).rows.every((r) => r.status === 'cancelled'), 10_000, 'retention timers cancelled');
    const timers = await retentionTimers();
    expect(timers.rows.length).toBeGreaterThan(0);
    expect(timers.rows.every((r) => r.status === 'cancelled')).toBe(true);
    expect((await api('POST', '/v1/tenants/leaving/backups/ltr-1/restore-check', T.op)).body).toMatchObject({ restorable: false, reason: 'key-version-destroyed' });
    expect((await api('POST', '/v1/tenants/leaving/keys/rotate', T.op)).status).toBe(409);
  }, 60_000);
});
