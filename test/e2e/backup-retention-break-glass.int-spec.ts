/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// Break-glass `backup.extend-retention` end to end over HTTP with the manual clock (issue 16): with
// LETHE_BACKUP_RETENTION_MAX_DAYS=30, a backup kept longer (recorded so, or extended by PATCH) needs
// the caller's approved grant covering the operation for the tenant; without one it is refused (403
// break-glass-required, the refusal recorded, nothing else stored). Within the maximum nothing
// changes: no grant needed, the header ignored.
import { randomBytes } from 'node:crypto';
import { waitUntil } from '../support/engine-process.js';
import type { ApiResponse } from '../support/http-client.js';
import { startInProcessEngine, type InProcessEngine } from '../support/in-process-engine.js';

const T0 = '2027-05-03T09:00:00.000Z';
const DAY = 86_400_000;
const day = (n: number) => new Date(Date.parse(T0) + n * DAY).toISOString();
const token = (name: string) => `${name}-${randomBytes(16).toString('hex')}`;
const T = { admin: token('admin'), olga: token('olga'), oscar: token('oscar'), ann: token('ann'), ben: token('ben'), reader: token('reader') };
const TOKENS = [`admin:root:${T.admin}`, `operator:olga:${T.olga}`, `operator:oscar:${T.oscar}`, `approver:ann:${T.ann}`, `approver:ben:${T.ben}`, `ops-reader:dashboards:${T.reader}`].join(',');
const GRANT_HEADER = 'Break-Glass-Grant';
const OPERATION = 'backup.extend-retention';

describe('backup.extend-retention over HTTP (LETHE_BACKUP_RETENTION_MAX_DAYS=30)', () => {
  let e: InProcessEngine;
  const api = (method: string, path: string, tok: string, body?: unknown, headers: Record<string, string> = {}) => e.api(method, path, tok, body, headers);
  const withGrant = (grantId?: string): Record<string, string> => (grantId ? { [GRANT_HEADER]: grantId } : {});
  const record = (tenantId: string, backupId: string, expiresAt: string, grantId?: string, tok = T.olga) =>
    api('POST', `/v1/tenants/${tenantId}/backups`, tok, { backupId, databaseId: 'db-1', kind: 'ltr', coveredFrom: T0, takenAt: T0, expiresAt }, withGrant(grantId));
  const patch = (backupId: string, expiresAt: string, grantId?: string) => api('PATCH', `/v1/tenants/acme/backups/${backupId}`, T.olga, { expiresAt }, withGrant(grantId));
  const expectRefused = (res: ApiResponse, reason: string, grantId: string | null, tenantId = 'acme') => {
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: 'urn:lethe:problem:break-glass-required', code: 'break-glass-required', operation: OPERATION, tenantId, grantId, reason });
    expect(res.body.detail).toContain(GRANT_HEADER);
  };
  /** An approved, active grant olga requested, covering these operations on these tenants. */
  const approvedGrant = async (tenantIds: string[], operations: string[]): Promise<string> => {
    const res = await api('POST', '/v1/break-glass', T.olga, { taskRef: 'INC-42', reason: 'legal hold on acme backups', scope: { tenantIds, operations }, durationMinutes: 60 });
    expect(res.status).toBe(201);
    for (const approver of [T.ann, T.ben]) expect((await api('POST', `/v1/break-glass/${res.body.grantId}/approvals`, approver)).status).toBe(200);
    return res.body.grantId;
  };
  const ringEvents = async (type: string) =>
    (await e.pool.query<{ data: any; metadata: any }>("select data, metadata from lethe_events where stream_id = 'keys-acme' and event_type = $1 order by stream_revision", [type])).rows;
  const refusals = async () =>
    (await e.pool.query<{ data: any }>("select data from lethe_events where stream_id = 'privileged-refusals-acme' order by stream_revision")).rows.map((r) => r.data);
  const grantEvents = async (grantId: string) =>
    (await e.pool.query<{ type: string; data: any }>('select event_type as type, data from lethe_events where stream_id = $1 order by stream_revision', [`break-glass-${grantId}`])).rows;
  const listed = async (): Promise<any[]> => {
    const res = await api('GET', '/v1/tenants/acme/backups', T.reader);
    expect(res.status).toBe(200);
    return res.body.items;
  };

  beforeAll(async () => {
    e = await startInProcessEngine(T0, { LETHE_TOKENS: TOKENS, LETHE_BACKUP_RETENTION_MAX_DAYS: '30' });
    for (const tenantId of ['acme', 'globex']) {
      const res = await api('POST', '/v1/tenants', T.olga, { tenantId, jurisdiction: 'DE', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }] });
      expect(res.status).toBe(201);
    }
  }, 60_000);
  afterAll(async () => {
    await e?.stop();
  });

  it('records a backup kept up to the maximum without a grant, and ignores a header it does not need', async () => {
    expect((await record('acme', 'b-in', day(30))).status).toBe(201);
    expect((await record('acme', 'b-in-2', day(20), '00000000-0000-4000-8000-000000000000')).status).toBe(201);
    expect(await refusals()).toEqual([]);
    expect((await ringEvents('BackupRecorded')).every((ev) => !('grantId' in ev.data))).toBe(true);
  });

  it('refuses a backup kept past the maximum without a grant: 403, the refusal recorded, nothing stored', async () => {
    const res = await record('acme', 'b-long', day(31));
    expectRefused(res, 'no-grant', null);
    expect(res.body.detail).toContain(OPERATION);
    expect(await refusals()).toEqual([expect.objectContaining({ grantId: null, by: 'olga', operation: OPERATION, tenantId: 'acme', reason: 'no-grant' })]);
    expect((await ringEvents('BackupRecorded')).map((ev) => ev.data.backupId)).toEqual(['b-in', 'b-in-2']);
    await waitUntil(async () => (await listed()).length === 2, 10_000, 'the backups listed');
    expect((await listed()).map((b) => b.backupId).sort()).toEqual(['b-in', 'b-in-2']);
  });

  it('refuses it under a grant covering another operation, another tenant, or another requester, naming why', async () => {
    const probeOnly = await approvedGrant(['acme'], ['probe.read']);
    expectRefused(await record('acme', 'b-long', day(31), probeOnly), 'operation-out-of-scope', probeOnly);
    const globexOnly = await approvedGrant(['globex'], [OPERATION]);
    expectRefused(await record('acme', 'b-long', day(31), globexOnly), 'tenant-out-of-scope', globexOnly);
    expectRefused(await record('acme', 'b-long', day(31), globexOnly, T.oscar), 'not-the-requester', globexOnly);
    expect((await grantEvents(probeOnly)).filter((ev) => ev.type === 'BreakGlassUseRefused').map((ev) => ev.data)).toEqual([
      expect.objectContaining({ operation: OPERATION, tenantId: 'acme', reason: 'operation-out-of-scope' }),
    ]);
    expect((await ringEvents('BackupRecorded')).map((ev) => ev.data.backupId)).toEqual(['b-in', 'b-in-2']);
  });

  let grantId: string;

  it('records it under an approved grant covering backup.extend-retention for the tenant, the event naming the grant', async () => {
    grantId = await approvedGrant(['acme'], [OPERATION]);
    const res = await record('acme', 'b-long', day(31), grantId);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ backupId: 'b-long', expiresAt: day(31) });
    const recorded = (await ringEvents('BackupRecorded')).find((ev) => ev.data.backupId === 'b-long');
    expect(recorded).toMatchObject({ data: { grantId }, metadata: { subject: 'olga' } });
    expect((await grantEvents(grantId)).filter((ev) => ev.type === 'BreakGlassUsed').map((ev) => ev.data)).toEqual([expect.objectContaining({ by: 'olga', operation: OPERATION, tenantId: 'acme' })]);
    // The same body again is a replay: answered, no grant asked for, nothing appended.
    expect((await record('acme', 'b-long', day(31))).status).toBe(201);
    expect((await ringEvents('BackupRecorded')).filter((ev) => ev.data.backupId === 'b-long')).toHaveLength(1);
    let backups: any[] = [];
    await waitUntil(async () => (backups = await listed()).length === 3, 10_000, 'the extended backup listed');
    expect(backups.find((b) => b.backupId === 'b-long')).toMatchObject({ expiresAt: day(31), retentionGrantId: grantId });
    expect(backups.find((b) => b.backupId === 'b-in')).toMatchObject({ retentionGrantId: null });
  });

  it('extends a retention past the maximum by PATCH only under a grant; within it, or shorter, needs none', async () => {
    expectRefused(await patch('b-in', day(60)), 'no-grant', null);
    expect((await ringEvents('BackupRetentionChanged'))).toEqual([]);
    const extended = await patch('b-in', day(60), grantId);
    expect(extended.status).toBe(200);
    expect(extended.body).toMatchObject({ backupId: 'b-in', expiresAt: day(60) });
    expect((await ringEvents('BackupRetentionChanged')).map((ev) => ev.data)).toEqual([{ backupId: 'b-in', expiresAt: day(60), grantId, at: T0 }]);
    // Shorter, even still past the maximum, and within the maximum: no grant, no header.
    expect((await patch('b-in', day(45))).status).toBe(200);
    expect((await patch('b-in-2', day(29))).status).toBe(200);
    const changed = (await ringEvents('BackupRetentionChanged')).map((ev) => ev.data);
    expect(changed.slice(1)).toEqual([
      { backupId: 'b-in', expiresAt: day(45), at: T0 },
      { backupId: 'b-in-2', expiresAt: day(29), at: T0 },
    ]);
    expect((await grantEvents(grantId)).filter((ev) => ev.type === 'BreakGlassUsed')).toHaveLength(2);
    expect((await refusals()).map((r) => r.reason)).toEqual(['no-grant', 'no-grant']);
    await waitUntil(async () => (await listed()).find((b) => b.backupId === 'b-in')?.expiresAt === day(45), 10_000, 'the PATCHes listed');
    // Shortened without a grant, b-in is still kept under the extension the grant allowed; b-in-2 never was.
    expect((await listed()).find((b) => b.backupId === 'b-in')).toMatchObject({ retentionGrantId: grantId });
    expect((await listed()).find((b) => b.backupId === 'b-in-2')).toMatchObject({ retentionGrantId: null });
  });

  it('says in the audit trail that the retention was kept past the maximum under the grant', async () => {
    // The trail shows what every read model has passed; the ones these events do not concern pass them
    // once the log is quiet, so wait for the whole history rather than read it at once.
    const underGrant = async (): Promise<string[]> => {
      const res = await api('GET', '/v1/tenants/acme/events?limit=100', T.reader);
      expect(res.status).toBe(200);
      return res.body.items.map((ev: any) => ev.summary).filter((s: string) => s.includes(`break-glass grant ${grantId}`));
    };
    await waitUntil(async () => (await underGrant()).length >= 2, 10_000, 'the audit trail reaching the PATCHes');
    expect(await underGrant()).toHaveLength(2);
  });
});
