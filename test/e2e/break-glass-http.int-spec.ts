/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// Break-glass grants end to end over HTTP with the manual clock (issue 16): the whole life of a grant
// (requested, approved by K distinct approvers, used, expired by its durable timer, refused after),
// self-approval refused, the scope enforced, an unapproved grant useless, every use and refusal an
// event; and a kill -9 mid-window that keeps the grant and its expiry timer, and the timer at which an
// unapproved request lapses.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { spawnEngine, waitUntil, type EngineProcess } from '../support/engine-process.js';
import { apiClient, type ApiResponse } from '../support/http-client.js';
import { startInProcessEngine, type InProcessEngine } from '../support/in-process-engine.js';

const T0 = '2027-05-03T09:00:00.000Z';
const MINUTE = 60_000;
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * MINUTE).toISOString();
const token = (name: string) => `${name}-${randomBytes(16).toString('hex')}`;
/** olga is an operator and also holds the approver role (another token, the same subject). */
const T = { contract: token('contract'), admin: token('admin'), olga: token('olga'), oscar: token('oscar'), olgaApprover: token('olga-approver'), ann: token('ann'), ben: token('ben'), reader: token('reader') };
const TOKENS = [
  `admin:root:${T.admin}`,
  `contract-system:contracts:${T.contract}`,
  `operator:olga:${T.olga}`,
  `operator:oscar:${T.oscar}`,
  `approver:olga:${T.olgaApprover}`,
  `approver:ann:${T.ann}`,
  `approver:ben:${T.ben}`,
  `ops-reader:dashboards:${T.reader}`,
].join(',');
const GRANT_HEADER = 'Break-Glass-Grant';

const requestBody = (change: Record<string, unknown> = {}) => ({
  taskRef: 'INC-4711',
  reason: 'check the restored database of acme',
  scope: { tenantIds: ['acme'], operations: ['probe.read'] },
  durationMinutes: 60,
  ...change,
});

describe('a grant over HTTP, with the manual clock', () => {
  let e: InProcessEngine;
  let now = T0;
  const api = (method: string, path: string, tok: string, body?: unknown, headers: Record<string, string> = {}) => e.api(method, path, tok, body, headers);
  const setClock = async (iso: string) => {
    now = iso;
    expect((await api('POST', '/v1/admin/clock', T.admin, { now: iso })).status).toBe(200);
  };
  const probeRead = (tenantId: string, grantId?: string) => api('POST', `/v1/tenants/${tenantId}/probe/read`, T.olga, { databaseId: 'db-1' }, grantId ? { [GRANT_HEADER]: grantId } : {});
  const grant = async (grantId: string) => (await api('GET', `/v1/break-glass/${grantId}`, T.reader)).body;
  const expectRefused = (res: ApiResponse, reason: string, grantId: string | null) => {
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ type: 'urn:lethe:problem:break-glass-required', code: 'break-glass-required', operation: 'probe.read', grantId, reason });
    expect(res.body.detail).toContain(GRANT_HEADER);
  };
  const grantEvents = async (grantId: string) =>
    (await e.pool.query<{ type: string; data: any; metadata: any }>('select event_type as type, data, metadata from lethe_events where stream_id = $1 order by stream_revision', [`break-glass-${grantId}`])).rows;

  beforeAll(async () => {
    e = await startInProcessEngine(T0, { LETHE_TOKENS: TOKENS });
    for (const tenantId of ['acme', 'globex']) {
      const res = await api('POST', '/v1/tenants', T.olga, { tenantId, jurisdiction: 'DE', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }] });
      expect(res.status).toBe(201);
    }
  }, 60_000);
  afterAll(async () => {
    await e?.stop();
  });

  let grantId: string;

  it('is requested by an operator with a task, a reason, a scope and a duration', async () => {
    const res = await api('POST', '/v1/break-glass', T.olga, requestBody());
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ grantId: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'requested' });
    grantId = res.body.grantId;
    expect(await grant(grantId)).toMatchObject({ grantId, status: 'requested', active: false, requestedBy: 'olga', taskRef: 'INC-4711', scope: { tenantIds: ['acme'], operations: ['probe.read'] }, durationMinutes: 60, approvalsRequired: 2, approvals: [], expiresAt: null });
  });

  it('refuses a grant longer than 4 hours, or an unknown operation, naming the field', async () => {
    const long = await api('POST', '/v1/break-glass', T.olga, requestBody({ durationMinutes: 241 }));
    expect(long.status).toBe(400);
    expect(long.body.errors).toEqual([{ field: 'durationMinutes', rule: expect.stringContaining('4 hours') }]);
    const op = await api('POST', '/v1/break-glass', T.olga, requestBody({ scope: { tenantIds: ['acme'], operations: ['shell'] } }));
    expect(op.status).toBe(400);
    expect(op.body.errors[0].field).toBe('scope.operations[0]');
    // Only operators request; approvers approve.
    expect((await api('POST', '/v1/break-glass', T.ann, requestBody())).status).toBe(403);
    expect((await api('POST', `/v1/break-glass/${grantId}/approvals`, T.olga)).status).toBe(403);
  });

  it('is useless before it is approved, and every privileged call without a covering grant is refused and recorded', async () => {
    expectRefused(await probeRead('acme'), 'no-grant', null);
    expectRefused(await probeRead('acme', grantId), 'not-approved', grantId);
    // An unknown grant: the 403 names the id the caller sent (the refusal is recorded without it).
    expectRefused(await probeRead('acme', '00000000-0000-4000-8000-000000000000'), 'unknown-grant', '00000000-0000-4000-8000-000000000000');
    const refusals = (await e.pool.query<{ data: any; metadata: any }>("select data, metadata from lethe_events where stream_id = 'privileged-refusals-acme' order by stream_revision")).rows;
    expect(refusals.map((r) => r.data.reason)).toEqual(['no-grant', 'unknown-grant']);
    expect(refusals.every((r) => r.data.by === 'olga' && r.metadata.subject === 'olga')).toBe(true);
    expect((await grant(grantId)).refusals).toBe(1);
  });

  it('is never approved by its requester, even holding the approver role', async () => {
    const res = await api('POST', `/v1/break-glass/${grantId}/approvals`, T.olgaApprover);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('break-glass-self-approval');
    expect((await grant(grantId)).approvals).toEqual([]);
  });

  it('becomes approved and active at the second distinct approval, for its duration', async () => {
    await setClock(at(5));
    const first = await api('POST', `/v1/break-glass/${grantId}/approvals`, T.ann);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'requested', active: false, approvals: [{ approver: 'ann', at: at(5) }] });
    // The same approver again counts once.
    expect((await api('POST', `/v1/break-glass/${grantId}/approvals`, T.ann)).body.approvals).toHaveLength(1);
    expectRefused(await probeRead('acme', grantId), 'not-approved', grantId);
    await setClock(at(7));
    const second = await api('POST', `/v1/break-glass/${grantId}/approvals`, T.ben);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ status: 'approved', active: true, activeFrom: at(7), expiresAt: at(67), approvals: [{ approver: 'ann' }, { approver: 'ben' }] });
  });

  it('opens the privileged operation inside its scope only, recording each use and refusal', async () => {
    const ok = await probeRead('acme', grantId);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ tenantId: 'acme', databaseId: 'db-1', outcome: expect.any(String), at: at(7) });
    expectRefused(await probeRead('globex', grantId), 'tenant-out-of-scope', grantId);
    // Another operator who learned the grant's id (every ops-reader can list grants) gets nothing from it.
    expectRefused(
      await api('POST', '/v1/tenants/acme/probe/read', T.oscar, { databaseId: 'db-1' }, { [GRANT_HEADER]: grantId }),
      'not-the-requester',
      grantId,
    );

    const other = await api('POST', '/v1/break-glass', T.olga, requestBody({ scope: { tenantIds: ['acme'], operations: ['shred.execute-now'] } }));
    for (const approver of [T.ann, T.ben]) expect((await api('POST', `/v1/break-glass/${other.body.grantId}/approvals`, approver)).status).toBe(200);
    expectRefused(await probeRead('acme', other.body.grantId), 'operation-out-of-scope', other.body.grantId);

    const events = await grantEvents(grantId);
    expect(events.map((ev) => ev.type)).toEqual(['BreakGlassRequested', 'BreakGlassUseRefused', 'BreakGlassApproved', 'BreakGlassUseRefused', 'BreakGlassApproved', 'BreakGlassActivated', 'BreakGlassUsed', 'BreakGlassUseRefused', 'BreakGlassUseRefused']);
    expect(events.at(-1)).toMatchObject({ data: { by: 'oscar', reason: 'not-the-requester' }, metadata: { subject: 'oscar' } });
    expect(events.find((ev) => ev.type === 'BreakGlassUsed')).toMatchObject({ data: { by: 'olga', operation: 'probe.read', tenantId: 'acme' }, metadata: { subject: 'olga' } });
    expect(events.filter((ev) => ev.type === 'BreakGlassApproved').map((ev) => ev.metadata.subject)).toEqual(['ann', 'ben']);
    expect(await grant(grantId)).toMatchObject({ uses: 1, refusals: 4 });
    // Who used it and who was refused with it, on which tenant, for what and why: readable over the API.
    const uses = await api('GET', `/v1/break-glass/${grantId}/uses`, T.reader);
    expect(uses.status).toBe(200);
    expect(uses.body.items.map((u: any) => [u.outcome, u.by, u.tenantId, u.operation, u.reason])).toEqual([
      ['refused', 'olga', 'acme', 'probe.read', 'not-approved'],
      ['refused', 'olga', 'acme', 'probe.read', 'not-approved'],
      ['used', 'olga', 'acme', 'probe.read', null],
      ['refused', 'olga', 'globex', 'probe.read', 'tenant-out-of-scope'],
      ['refused', 'oscar', 'acme', 'probe.read', 'not-the-requester'],
    ]);
    let listed: ApiResponse | undefined;
    await waitUntil(async () => (listed = await api('GET', '/v1/break-glass', T.reader)).body.items?.length === 2, 10_000, 'both grants listed');
    expect(listed!.body.items.map((g: any) => g.grantId)).toEqual([other.body.grantId, grantId]);
    expect(listed!.body.items.every((g: any) => g.active)).toBe(true);

    // Metrics: fixed label values, no grant or tenant id.
    const metric = (text: string, line: string) => Number(new RegExp(`^${line.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(text)?.[1]);
    let scraped = '';
    await waitUntil(async () => {
      scraped = (await api('GET', '/metrics', T.reader)).text;
      return metric(scraped, 'lethe_break_glass_total{outcome="used"}') === 1;
    }, 10_000, 'the metrics');
    expect(metric(scraped, 'lethe_break_glass_active_grants')).toBe(2);
    expect(metric(scraped, 'lethe_break_glass_total{outcome="requested"}')).toBe(2);
    expect(metric(scraped, 'lethe_break_glass_total{outcome="approved"}')).toBe(2);
    expect(metric(scraped, 'lethe_break_glass_total{outcome="refused"}')).toBe(7);
    expect(scraped).not.toContain(grantId);
  });

  it('lists its expiry timer on the schedule, expires by it, and is refused after', async () => {
    const schedule = await api('GET', '/v1/schedule?kind=break-glass-expiry', T.reader);
    expect(schedule.body.items).toContainEqual({ kind: 'break-glass-expiry', tenantId: null, dueAt: at(67), subject: { type: 'break-glass-grant', id: grantId }, state: 'pending', attempts: 0 });
    await setClock(at(66));
    expect((await probeRead('acme', grantId)).status).toBe(200);
    await setClock(at(67));
    // At the end of the window the grant no longer opens anything, whether or not the timer has fired yet.
    expectRefused(await probeRead('acme', grantId), 'expired', grantId);
    await waitUntil(async () => {
      await setClock(now);
      return (await grant(grantId)).status === 'expired';
    }, 15_000, 'the expiry timer');
    expect(await grant(grantId)).toMatchObject({ status: 'expired', active: false, expiredAt: at(67) });
    expect((await grantEvents(grantId)).filter((ev) => ev.type === 'BreakGlassExpired')).toEqual([{ type: 'BreakGlassExpired', data: { grantId, at: at(67) }, metadata: expect.not.objectContaining({ subject: expect.anything() }) }]);
    expectRefused(await probeRead('acme', grantId), 'expired', grantId);
  });

  it('is revocable: a revoked grant opens nothing and its timer is cancelled', async () => {
    const res = await api('POST', '/v1/break-glass', T.olga, requestBody());
    const id = res.body.grantId;
    for (const approver of [T.ann, T.ben]) await api('POST', `/v1/break-glass/${id}/approvals`, approver);
    expect((await probeRead('acme', id)).status).toBe(200);
    const revoked = await api('POST', `/v1/break-glass/${id}/revoke`, T.olga);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ status: 'revoked', active: false, revokedBy: 'olga' });
    expectRefused(await probeRead('acme', id), 'revoked', id);
    await waitUntil(async () => (await e.pool.query("select 1 from lethe_deadlines where id = $1 and status = 'cancelled'", [`break-glass-expiry:${id}`])).rowCount === 1, 15_000, 'the timer cancelled');
    expect((await api('POST', `/v1/break-glass/${id}/approvals`, T.ann)).status).toBe(409);
  });

  it('lists grants newest first a page at a time, filtered by status (active: approved, window open now)', async () => {
    let all: any[] = [];
    await waitUntil(async () => (all = (await api('GET', '/v1/break-glass?limit=1000', T.reader)).body.items ?? []).some((g: any) => g.status === 'revoked'), 10_000, 'the revoked grant listed');
    expect(all.length).toBeGreaterThanOrEqual(3);
    // Page by page with limit=1: the same grants in the same order, the last page saying so.
    const paged: any[] = [];
    let cursor: string | null = null;
    do {
      const res: ApiResponse = await api('GET', `/v1/break-glass?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, T.ann);
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(1);
      paged.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor !== null);
    expect(paged.map((g) => g.grantId)).toEqual(all.map((g) => g.grantId));
    for (const status of ['requested', 'approved', 'revoked', 'expired'] as const) {
      const res = await api('GET', `/v1/break-glass?status=${status}`, T.reader);
      expect(res.body.items.map((g: any) => g.grantId)).toEqual(all.filter((g) => g.status === status).map((g) => g.grantId));
    }
    const active = await api('GET', '/v1/break-glass?status=active', T.reader);
    expect(active.body.items.map((g: any) => g.grantId)).toEqual(all.filter((g) => g.active).map((g) => g.grantId));
    const bad = await api('GET', '/v1/break-glass?status=open&cursor=nonsense', T.reader);
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((x: any) => x.field).sort()).toEqual(['cursor', 'status']);
  });

  it('forces a scheduled shred to execute now under a grant covering shred.execute-now, and only then', async () => {
    const terminated = await api('POST', '/v1/tenants/globex/terminations', T.contract, { terminationId: 't-1', contractId: 'c-1', effectiveAt: now });
    expect(terminated.status).toBe(202);
    const { executeAt, deadline } = terminated.body;
    expect(Date.parse(executeAt)).toBeGreaterThan(Date.parse(now));
    const executeNow = (grantId?: string) => api('POST', '/v1/tenants/globex/shred/execute-now', T.olga, undefined, grantId ? { [GRANT_HEADER]: grantId } : {});
    const refused = await executeNow();
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'break-glass-required', operation: 'shred.execute-now', tenantId: 'globex', reason: 'no-grant' });
    const id = (await api('POST', '/v1/break-glass', T.olga, requestBody({ scope: { tenantIds: ['globex'], operations: ['shred.execute-now'] } }))).body.grantId;
    for (const approver of [T.ann, T.ben]) await api('POST', `/v1/break-glass/${id}/approvals`, approver);
    const forced = await executeNow(id);
    expect(forced.status).toBe(202);
    expect(forced.body).toEqual({ tenantId: 'globex', shredId: terminated.body.shredId, executeAt: now, deadline });
    await waitUntil(async () => {
      await setClock(now);
      return (await api('GET', '/v1/tenants/globex', T.reader)).body.shred?.executedAt != null;
    }, 20_000, 'the forced shred to execute');
    const events = (await e.pool.query<{ type: string; metadata: any }>("select event_type as type, metadata from lethe_events where stream_id = 'tenant-globex' order by stream_revision")).rows;
    expect(events.find((ev) => ev.type === 'ShredExecutionForced')?.metadata.subject).toBe('olga');
    expect(events.map((ev) => ev.type)).toContain('ShredExecutionStarted');
    expect((await grantEvents(id)).filter((ev) => ev.type === 'BreakGlassUsed').map((ev) => ev.data.operation)).toEqual(['shred.execute-now']);
  });

  it('answers 404 for an unknown grant and 400 for a malformed id', async () => {
    expect((await api('GET', '/v1/break-glass/00000000-0000-4000-8000-000000000000', T.reader)).status).toBe(404);
    expect((await api('POST', '/v1/break-glass/00000000-0000-4000-8000-000000000000/approvals', T.ann)).status).toBe(404);
    expect((await api('GET', '/v1/break-glass/not-a-grant', T.reader)).status).toBe(400);
    expect((await api('GET', '/v1/break-glass/00000000-0000-4000-8000-000000000000/uses', T.reader)).status).toBe(404);
    expect((await api('GET', '/v1/break-glass/not-a-grant/uses', T.reader)).status).toBe(400);
  });
});

describe('a restart mid-window (kill -9)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let dataDir: string;
  const engines: EngineProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    pool.on('error', reportIdleError);
    dataDir = mkdtempSync(join(tmpdir(), 'lethe-break-glass-'));
  });
  afterAll(async () => {
    for (const engine of engines) engine.kill('SIGKILL');
    await Promise.all(engines.map((engine) => engine.exited));
    await pool?.end();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<ReturnType<typeof apiClient>> {
    const engine = spawnEngine({ DATABASE_URL: db.url, LETHE_DATA_DIR: dataDir, PORT: '0', LETHE_CLOCK: 'manual', LETHE_CLOCK_START: T0, LETHE_TOKENS: TOKENS, LETHE_DEADLINE_POLL_MS: '100', LETHE_INSTANCE_ID: `bg-${engines.length}` });
    engines.push(engine);
    let url: string | undefined;
    await waitUntil(() => (url = /listening on (http:\/\/\S+)/.exec(engine.output())?.[1]) !== undefined || engine.child.exitCode !== null, 120_000, 'the engine to listen');
    if (!url) throw new Error(`the engine did not start:\n${engine.output()}`);
    return apiClient(url);
  }

  it('keeps the grant active after the restart, and its timers still expire it and lapse an unapproved request', async () => {
    let api = await start();
    expect((await api('POST', '/v1/tenants', T.olga, { tenantId: 'acme', jurisdiction: 'DE', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }] })).status).toBe(201);
    const grantId = (await api('POST', '/v1/break-glass', T.olga, requestBody({ durationMinutes: 30 }))).body.grantId;
    for (const approver of [T.ann, T.ben]) expect((await api('POST', `/v1/break-glass/${grantId}/approvals`, approver)).status).toBe(200);
    await waitUntil(async () => (await pool.query("select 1 from lethe_deadlines where id = $1 and status = 'pending'", [`break-glass-expiry:${grantId}`])).rowCount === 1, 15_000, 'the expiry timer');
    // Another request, never approved: it lapses 24 hours after it was requested.
    const unapproved = (await api('POST', '/v1/break-glass', T.olga, requestBody())).body.grantId;
    await waitUntil(async () => (await pool.query("select 1 from lethe_deadlines where id = $1 and status = 'pending'", [`break-glass-lapse:${unapproved}`])).rowCount === 1, 15_000, 'the lapse timer');

    engines[0].kill('SIGKILL');
    await engines[0].exited;
    api = await start();
    const probe = () => api('POST', '/v1/tenants/acme/probe/read', T.olga, { databaseId: 'db-1' }, { [GRANT_HEADER]: grantId });
    expect((await api('GET', `/v1/break-glass/${grantId}`, T.reader)).body).toMatchObject({ status: 'approved', active: true, expiresAt: at(30) });
    expect((await probe()).status).toBe(200);

    expect((await api('POST', '/v1/admin/clock', T.admin, { now: at(31) })).status).toBe(200);
    await waitUntil(async () => {
      await api('POST', '/v1/admin/clock', T.admin, { now: at(31) });
      return (await api('GET', `/v1/break-glass/${grantId}`, T.reader)).body.status === 'expired';
    }, 20_000, 'the expiry after the restart');
    expect((await probe()).status).toBe(403);

    expect((await api('GET', `/v1/break-glass/${unapproved}`, T.reader)).body).toMatchObject({ status: 'requested', approveBy: at(24 * 60) });
    await waitUntil(async () => {
      await api('POST', '/v1/admin/clock', T.admin, { now: at(24 * 60) });
      return (await api('GET', `/v1/break-glass/${unapproved}`, T.reader)).body.status === 'expired';
    }, 20_000, 'the lapse after the restart');
    expect((await api('GET', `/v1/break-glass/${unapproved}`, T.reader)).body).toMatchObject({ status: 'expired', expiredAt: at(24 * 60), activeFrom: null });
    expect((await api('POST', `/v1/break-glass/${unapproved}/approvals`, T.ann)).status).toBe(409);
  }, 240_000);
});
