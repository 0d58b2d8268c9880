/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// What a privileged call records, end to end over HTTP with the manual clock (issue 16): the
// operation is decided first, so a call for a tenant that does not exist answers 404 and records
// nothing (no stream for a tenant Lethe never had), and a call the operation refuses anyway (unknown
// database or key version, version not retired, no shred scheduled) answers as it would without a
// grant and uses none; a use recorded means the operation was allowed and attempted. Refusals made
// without a grant are in the tenant's audit trail. A 403 names the grant id the caller sent; a scope
// naming an entry twice is refused; a request not approved within 24 hours lapses, by its timer.
import { randomBytes } from 'node:crypto';
import { waitUntil } from '../support/engine-process.js';
import type { ApiResponse } from '../support/http-client.js';
import { startInProcessEngine, type InProcessEngine } from '../support/in-process-engine.js';

const T0 = '2027-05-03T09:00:00.000Z';
const MINUTE = 60_000;
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * MINUTE).toISOString();
const DAY_MINUTES = 24 * 60;
const token = (name: string) => `${name}-${randomBytes(16).toString('hex')}`;
const T = { admin: token('admin'), olga: token('olga'), ann: token('ann'), ben: token('ben'), reader: token('reader') };
const TOKENS = [`admin:root:${T.admin}`, `operator:olga:${T.olga}`, `approver:ann:${T.ann}`, `approver:ben:${T.ben}`, `ops-reader:dashboards:${T.reader}`].join(',');
const GRANT_HEADER = 'Break-Glass-Grant';
const ALL_OPERATIONS = ['probe.read', 'shred.execute-now', 'key-version.enable', 'backup.extend-retention'];

describe('privileged calls: decided first, recorded only when attempted', () => {
  let e: InProcessEngine;
  let now = T0;
  const api = (method: string, path: string, tok: string, body?: unknown, headers: Record<string, string> = {}) => e.api(method, path, tok, body, headers);
  const withGrant = (grantId?: string): Record<string, string> => (grantId ? { [GRANT_HEADER]: grantId } : {});
  const setClock = async (iso: string) => {
    now = iso;
    expect((await api('POST', '/v1/admin/clock', T.admin, { now: iso })).status).toBe(200);
  };
  const probeRead = (tenantId: string, grantId?: string, databaseId = 'db-1') => api('POST', `/v1/tenants/${tenantId}/probe/read`, T.olga, { databaseId }, withGrant(grantId));
  const executeNow = (tenantId: string, grantId?: string) => api('POST', `/v1/tenants/${tenantId}/shred/execute-now`, T.olga, undefined, withGrant(grantId));
  const enable = (tenantId: string, keyVersionId: string, grantId?: string) => api('POST', `/v1/tenants/${tenantId}/keys/versions/${keyVersionId}/enable`, T.olga, undefined, withGrant(grantId));
  const recordBackup = (tenantId: string, grantId?: string) =>
    api('POST', `/v1/tenants/${tenantId}/backups`, T.olga, { backupId: 'b-long', databaseId: 'db-1', kind: 'ltr', coveredFrom: T0, takenAt: T0, expiresAt: at(31 * DAY_MINUTES) }, withGrant(grantId));
  const patchBackup = (tenantId: string, grantId?: string) => api('PATCH', `/v1/tenants/${tenantId}/backups/b-1`, T.olga, { expiresAt: at(31 * DAY_MINUTES) }, withGrant(grantId));
  const grant = async (grantId: string) => (await api('GET', `/v1/break-glass/${grantId}`, T.reader)).body;
  const streamEvents = async (stream: string) =>
    (await e.pool.query<{ type: string; data: any }>('select event_type as type, data from lethe_events where stream_id = $1 order by stream_revision', [stream])).rows;
  const request = (scope: { tenantIds: string[]; operations: string[] }) => api('POST', '/v1/break-glass', T.olga, { taskRef: 'INC-77', reason: 'restore check', scope, durationMinutes: 60 });
  const approvedGrant = async (tenantIds: string[], operations = ALL_OPERATIONS): Promise<string> => {
    const res = await request({ tenantIds, operations });
    expect(res.status).toBe(201);
    for (const approver of [T.ann, T.ben]) expect((await api('POST', `/v1/break-glass/${res.body.grantId}/approvals`, approver)).status).toBe(200);
    return res.body.grantId;
  };
  const expectProblem = (res: ApiResponse, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(status === 400 ? res.body.errors?.[0]?.field : res.body.code).toBe(code);
  };

  beforeAll(async () => {
    e = await startInProcessEngine(T0, { LETHE_TOKENS: TOKENS, LETHE_BACKUP_RETENTION_MAX_DAYS: '30' });
    const res = await api('POST', '/v1/tenants', T.olga, { tenantId: 'acme', jurisdiction: 'DE', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }] });
    expect(res.status).toBe(201);
  }, 60_000);
  afterAll(async () => {
    await e?.stop();
  });

  it('answers 404 tenant-not-found for a tenant that does not exist, before any grant check, and records nothing', async () => {
    const grantId = await approvedGrant(['nobody']);
    for (const claimed of [undefined, grantId, '00000000-0000-4000-8000-000000000000']) {
      expectProblem(await probeRead('nobody', claimed), 404, 'tenant-not-found');
      expectProblem(await executeNow('nobody', claimed), 404, 'tenant-not-found');
      expectProblem(await enable('nobody', 'vkv-00000000-0000-4000-8000-000000000000', claimed), 404, 'tenant-not-found');
      expectProblem(await recordBackup('nobody', claimed), 404, 'tenant-not-found');
      expectProblem(await patchBackup('nobody', claimed), 404, 'tenant-not-found');
    }
    expect((await e.pool.query("select 1 from lethe_events where stream_id like '%nobody%' and stream_id not like 'break-glass-%'")).rowCount).toBe(0);
    expect(await grant(grantId)).toMatchObject({ uses: 0, refusals: 0 });
  });

  it('answers a call the operation refuses anyway as it would without a grant, and counts no use of the grant', async () => {
    const grantId = await approvedGrant(['acme']);
    let keys: any;
    await waitUntil(async () => (keys = (await api('GET', '/v1/tenants/acme/keys', T.reader)).body).versions?.length === 1, 10_000, 'the key ring opened');
    const current = keys.versions[0].keyVersionId as string;
    for (const claimed of [grantId, undefined]) {
      expectProblem(await probeRead('acme', claimed, 'db-9'), 400, 'databaseId');
      expectProblem(await executeNow('acme', claimed), 409, 'no-shred-scheduled');
      expectProblem(await enable('acme', 'vkv-00000000-0000-4000-8000-000000000000', claimed), 404, 'unknown-key-version');
      expectProblem(await enable('acme', current, claimed), 409, 'key-version-not-retired');
    }
    expect(await grant(grantId)).toMatchObject({ uses: 0, refusals: 0 });
    expect(await streamEvents('privileged-refusals-acme')).toEqual([]);
    // A call the operation allows is then checked against the grant, and its use recorded before it runs.
    expect((await probeRead('acme', grantId)).status).toBe(200);
    expect((await streamEvents(`break-glass-${grantId}`)).filter((ev) => ev.type === 'BreakGlassUsed').map((ev) => ev.data.operation)).toEqual(['probe.read']);
  });

  it("names the grant id the caller sent when it does not exist, and shows a refusal made without a grant in the tenant's audit trail", async () => {
    const unknown = '00000000-0000-4000-8000-00000000abcd';
    const res = await probeRead('acme', unknown);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'break-glass-required', reason: 'unknown-grant', grantId: unknown });
    expect((await probeRead('acme')).body).toMatchObject({ reason: 'no-grant', grantId: null });
    expect((await streamEvents('privileged-refusals-acme')).map((ev) => ev.data.reason)).toEqual(['unknown-grant', 'no-grant']);

    const trail = async (limit: number): Promise<any[]> => {
      const items: any[] = [];
      let cursor: string | null = null;
      do {
        const page: ApiResponse = await api('GET', `/v1/tenants/acme/events?limit=${limit}${cursor ? `&after=${cursor}` : ''}`, T.reader);
        expect(page.status).toBe(200);
        items.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor !== null);
      return items;
    };
    let items: any[] = [];
    await waitUntil(async () => (items = await trail(100)).filter((i) => i.stream === 'privileged-refusals-acme').length === 2, 10_000, 'the refusals in the audit trail');
    expect(items.filter((i) => i.stream === 'privileged-refusals-acme')).toEqual([
      expect.objectContaining({ type: 'BreakGlassUseRefused', by: 'olga', summary: 'Privileged probe.read on tenant acme by olga refused (unknown-grant): the break-glass grant it named does not exist' }),
      expect.objectContaining({ type: 'BreakGlassUseRefused', by: 'olga', summary: 'Privileged probe.read on tenant acme by olga refused (no-grant): it named no break-glass grant' }),
    ]);
    // Paged two at a time, the cursor carries the refusals' stream too: the same trail, in the same order.
    expect((await trail(2)).map((i) => i.position)).toEqual(items.map((i) => i.position));
  });

  it('answers 400 naming the header for a Break-Glass-Grant that cannot be a grant id, on every route that reads it, recording and echoing nothing', async () => {
    const refusalsBefore = (await streamEvents('privileged-refusals-acme')).length;
    const junk = `not a uuid <script>${'x'.repeat(3000)}`;
    for (const res of [await probeRead('acme', junk), await executeNow('acme', junk), await enable('acme', 'vkv-00000000-0000-4000-8000-000000000000', junk), await recordBackup('acme', junk), await patchBackup('acme', junk)]) {
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: GRANT_HEADER, rule: expect.stringContaining('must be the id of a break-glass grant') }]);
      expect(JSON.stringify(res.body)).not.toContain('<script>');
    }
    expect(await streamEvents('privileged-refusals-acme')).toHaveLength(refusalsBefore);
  });

  it('refuses a scope naming a tenant or an operation twice with a 400 naming the field, storing nothing', async () => {
    const grants = async () => Number((await e.pool.query("select count(*) as n from lethe_events where stream_id like 'break-glass-%'")).rows[0].n);
    const before = await grants();
    const tenants = await request({ tenantIds: ['acme', 'acme'], operations: ['probe.read'] });
    expect(tenants.status).toBe(400);
    expect(tenants.body.errors).toEqual([{ field: 'scope.tenantIds', rule: 'must not name the same entry twice' }]);
    const operations = await request({ tenantIds: ['acme'], operations: ['probe.read', 'probe.read'] });
    expect(operations.status).toBe(400);
    expect(operations.body.errors).toEqual([{ field: 'scope.operations', rule: 'must not name the same entry twice' }]);
    expect(await grants()).toBe(before);
  });

  it('lapses a request not approved within 24 hours: approvals are refused from then on, and its timer records it expired', async () => {
    await setClock(at(60));
    const res = await request({ tenantIds: ['acme'], operations: ['probe.read'] });
    expect(res.status).toBe(201);
    const grantId = res.body.grantId as string;
    const lapsesAt = at(60 + DAY_MINUTES);
    expect(await grant(grantId)).toMatchObject({ status: 'requested', approveBy: lapsesAt });
    await waitUntil(async () => (await e.pool.query("select 1 from lethe_deadlines where id = $1 and status = 'pending' and due_at = $2", [`break-glass-lapse:${grantId}`, lapsesAt])).rowCount === 1, 10_000, 'the lapse timer');
    await setClock(at(59 + DAY_MINUTES));
    expect((await api('POST', `/v1/break-glass/${grantId}/approvals`, T.ann)).status).toBe(200);
    await setClock(lapsesAt);
    const late = await api('POST', `/v1/break-glass/${grantId}/approvals`, T.ben);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('grant-closed');
    await waitUntil(async () => {
      await setClock(now);
      return (await grant(grantId)).status === 'expired';
    }, 15_000, 'the lapse timer to expire the request');
    expect(await grant(grantId)).toMatchObject({ status: 'expired', active: false, expiredAt: lapsesAt, activeFrom: null, approvals: [{ approver: 'ann' }] });
    expect((await probeRead('acme', grantId)).body).toMatchObject({ code: 'break-glass-required', reason: 'expired' });
  });
});
