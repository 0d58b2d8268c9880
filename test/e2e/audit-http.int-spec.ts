/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// The audit trail and the questions ops ask (issue 13), end to end over HTTP with the manual clock:
// a tenant's history across its streams (order, paging, causes, summaries, no secret material), the
// fleet's schedule (kinds, from/to, paging, bad input), and each key version's lifetime, for a
// version a backup retained and that was then retired, and after the shred.
import { ManualClock } from '@lethe/clock';
import { evolveKeyRing, initialKeyRingState, upcastEvent, type KeyRingEvent } from '@lethe/domain';
import { LocalKeyVault, loadMasterKey } from '@lethe/vault';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUBJECTS, startInProcessEngine, type InProcessEngine } from '../support/in-process-engine.js';
import { waitUntil } from '../support/engine-process.js';
import type { ApiResponse } from '../support/http-client.js';

const T0 = '2027-01-04T09:00:00.000Z';
const DAY = 24 * 60 * 60 * 1000;
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
const BACKUP_EXPIRES = at(5 * DAY);

let e: InProcessEngine;
const responses: ApiResponse[] = [];
let now = T0;

beforeAll(async () => {
  e = await startInProcessEngine(T0, { LETHE_KEY_DETECTION_MS: '3600000' });
}, 60_000);

afterAll(async () => {
  await e?.stop();
});

const read = async (path: string, token = e.tokens['ops-reader']) => {
  const res = await e.api('GET', path, token);
  responses.push(res);
  return res;
};
const write = (method: string, path: string, body?: unknown, token = e.tokens.operator) => e.api(method, path, token, body);
async function setClock(iso: string) {
  now = iso;
  expect((await write('POST', '/v1/admin/clock', { now: iso }, e.tokens.admin)).status).toBe(200);
}
/** The head of the log: a read with it as minPosition sees every event written so far. */
const head = async () => (await e.pool.query<{ p: string }>('select coalesce(max(global_position), 0)::text as p from lethe_events')).rows[0].p;
async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  let found: T | undefined;
  await waitUntil(async () => {
    // Timers a processor made after the last clock move fire on the next move.
    await write('POST', '/v1/admin/clock', { now }, e.tokens.admin);
    found = await probe();
    return found !== undefined;
  }, 15_000, what);
  return found!;
}
const keys = async () => (await read('/v1/tenants/audit/keys')).body;
const timeline = async () => {
  const res = await read(`/v1/tenants/audit/keys/timeline?minPosition=${await head()}`);
  expect(res.status).toBe(200);
  return res.body;
};
async function allEvents(tenantId: string, limit: number): Promise<any[]> {
  const min = await head();
  const items: any[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const res: ApiResponse = await read(`/v1/tenants/${tenantId}/events?limit=${limit}&minPosition=${min}${after ? `&after=${after}` : ''}`);
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    items.push(...res.body.items);
    after = res.body.nextCursor;
    if (!after) return items;
  }
  throw new Error('more than 100 pages');
}

let v1: string;
let v2: string;
let terminatedAt: string;
let shred: { shredId: string; executeAt: string; deadline: string };

describe('a tenant history: onboarding, a database, a backup, a rotation, a retirement, a termination and its shred', () => {
  it('builds the history, and the timeline shows the old version retained by the backup', async () => {
    const onboarded = await write('POST', '/v1/tenants', {
      tenantId: 'audit', jurisdiction: 'GB-ENG', keyCustody: 'managed', backupKeyMode: 'customer',
      databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }], pitrRetentionDays: 1,
    });
    expect(onboarded.status).toBe(201);
    expect((await write('POST', '/v1/tenants', { tenantId: 'other', jurisdiction: 'DE', keyCustody: 'client', backupKeyMode: 'platform', databases: [{ databaseId: 'db-1' }] })).status).toBe(201);
    expect((await write('POST', '/v1/tenants/audit/databases', { databaseId: 'db-3' })).status).toBe(201);
    const backup = await write('POST', '/v1/tenants/audit/backups', { backupId: 'b-1', databaseId: 'db-1', kind: 'full', coveredFrom: T0, takenAt: T0, expiresAt: BACKUP_EXPIRES });
    expect(backup.status).toBe(201);
    v1 = backup.body.keyVersionIds[0];
    await setClock(at(60 * 60 * 1000));
    const rotated = await write('POST', '/v1/tenants/audit/keys/rotate');
    expect(rotated.status).toBe(202);
    v2 = rotated.body.keyVersionId;
    await until('every database on the new version', async () => ((await keys()).databases?.every((d: any) => d.keyVersionId === v2) ? true : undefined));

    const t = await timeline();
    expect(t).toMatchObject({ tenantId: 'audit', keyCustody: 'managed', pitrRetentionDays: 1, destroyedAt: null });
    const [old, current] = t.versions;
    expect(old).toMatchObject({
      keyVersionId: v1, number: 1, source: 'onboarding', status: 'superseded', createdAt: T0, supersededAt: current.createdAt,
      retainedUntil: BACKUP_EXPIRES, retainedBecause: [{ backupId: 'b-1', kind: 'full', expiresAt: BACKUP_EXPIRES }], retainingBackups: 1,
      retiredAt: null, destroyedAt: null,
    });
    expect(old.protects.map((p: any) => p.databaseId).sort()).toEqual(['db-1', 'db-2', 'db-3']);
    expect(old.protects.every((p: any) => p.until !== null && Date.parse(p.until) >= Date.parse(now))).toBe(true);
    expect(current).toMatchObject({ keyVersionId: v2, number: 2, source: 'manual', status: 'active', supersededAt: null, retainedUntil: null, retainedBecause: [], retainingBackups: 0 });
    expect(current.protects.map((p: any) => [p.databaseId, p.until])).toEqual(expect.arrayContaining([['db-1', null], ['db-2', null], ['db-3', null]]));
  });

  it('lists the retirement due when the backup expires on the schedule, filtered by kind and time, in pages', async () => {
    const retirement = await until('the retirement timer', async () => {
      const res = await read('/v1/schedule?kind=retirement');
      return res.body.items?.find((i: any) => i.subject?.id === v1);
    });
    expect(retirement).toEqual({ kind: 'retirement', tenantId: 'audit', dueAt: BACKUP_EXPIRES, subject: { type: 'key-version', id: v1 }, state: 'pending', attempts: 0 });

    const listed = await read('/v1/schedule?limit=1000');
    expect(listed.status).toBe(200);
    const all = listed.body.items;
    expect(all.map((i: any) => Date.parse(i.dueAt))).toEqual([...all.map((i: any) => Date.parse(i.dueAt))].sort((a, b) => a - b));
    expect(new Set(all.map((i: any) => i.kind))).toEqual(new Set(['retirement', 'rotation', 'key-detection', 'reprotection-overdue-check', 'compliance-check']));
    expect(all.every((i: any) => Date.parse(i.dueAt) >= Date.parse(now))).toBe(true);
    expect(all.find((i: any) => i.kind === 'rotation' && i.tenantId === 'audit')).toMatchObject({ subject: { type: 'key-ring', id: 'audit' }, state: 'pending' });
    // No claim token, owner, error or payload beyond the subject.
    expect(Object.keys(all[0]).sort()).toEqual(['attempts', 'dueAt', 'kind', 'state', 'subject', 'tenantId']);

    const paged: any[] = [];
    for (let cursor: string | null = null, pages = 0; pages === 0 || cursor; pages++) {
      const res: ApiResponse = await read(`/v1/schedule?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      paged.push(...res.body.items);
      cursor = res.body.nextCursor;
    }
    expect(paged).toEqual(all);

    const two = await read('/v1/schedule?kind=retirement&kind=rotation');
    expect(new Set(two.body.items.map((i: any) => i.kind))).toEqual(new Set(['retirement', 'rotation']));
    const window = await read(`/v1/schedule?from=${encodeURIComponent(at(4 * DAY))}&to=${encodeURIComponent(at(6 * DAY))}`);
    // The compliance watch looks again an hour after the version's retainUntil (P3's slack), should it still be there.
    expect(window.body.items).toEqual([retirement, { ...retirement, kind: 'compliance-check', dueAt: at(5 * DAY + 60 * 60 * 1000 + 1), subject: { type: 'key-ring', id: 'audit' } }]);
    expect((await read(`/v1/schedule?from=${encodeURIComponent(at(4 * DAY))}&to=${encodeURIComponent(BACKUP_EXPIRES)}`)).body.items).toEqual([]);
    // Earlier than now, only timers that are due and not fired yet (the one-off re-protection fired).
    const past = await read(`/v1/schedule?from=${encodeURIComponent(T0)}&to=${encodeURIComponent(now)}`);
    expect(past.status).toBe(200);
    expect(past.body.items.every((i: any) => i.state === 'late' && i.kind !== 'reprotection')).toBe(true);
  });

  it('answers 400 naming the field for bad schedule input', async () => {
    const bad = async (query: string, field: string) => {
      const res = await read(`/v1/schedule?${query}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.errors.map((x: any) => x.field)).toContain(field);
    };
    await bad(`from=${encodeURIComponent(at(3 * DAY))}&to=${encodeURIComponent(at(2 * DAY))}`, 'to');
    await bad(`to=${encodeURIComponent(T0)}`, 'to');
    await bad('kind=retirement,rotation', 'kind[0]');
    await bad('kind=shred', 'kind[0]');
    await bad('from=yesterday', 'from');
    await bad('limit=0', 'limit');
    await bad('cursor=nope', 'cursor');
    await bad('colour=red', 'colour');
    const eventsCursor = (await read(`/v1/tenants/audit/events?limit=1&minPosition=${await head()}`)).body.nextCursor;
    await bad(`cursor=${eventsCursor}`, 'cursor');
  });

  it('retires the version at the backup expiry; the timeline keeps the backup behind it (archived from the state)', async () => {
    await setClock(at(5 * DAY + 60_000));
    await until('the old version retired', async () => ((await keys()).versions[0].status === 'retired' ? true : undefined));
    const [old] = (await timeline()).versions;
    expect(old).toMatchObject({
      keyVersionId: v1, status: 'retired', retainedUntil: BACKUP_EXPIRES,
      retainedBecause: [{ backupId: 'b-1', kind: 'full', expiresAt: BACKUP_EXPIRES }], retainingBackups: 1, destroyedAt: null,
    });
    expect(Date.parse(old.retiredAt)).toBeGreaterThanOrEqual(Date.parse(BACKUP_EXPIRES));
    // The backup did leave the key ring's state at the retirement: the answer above is not the state's.
    const stored = await e.pool.query<{ type: string; data: unknown; metadata: Record<string, unknown> }>(
      `select event_type as type, data, metadata from lethe_events where stream_id = 'keys-audit' order by stream_revision`,
    );
    const state = stored.rows.reduce((s, r) => evolveKeyRing(s, upcastEvent(r) as unknown as KeyRingEvent), initialKeyRingState);
    expect(state).toMatchObject({ backups: [], archivedBackups: 1 });
  });

  it('terminates the contract and shreds: the schedule shows the shred, then the timeline shows every version destroyed', async () => {
    terminatedAt = now;
    const terminated = await write('POST', '/v1/tenants/audit/terminations', { terminationId: 't-1', contractId: 'c-1', effectiveAt: now }, e.tokens['contract-system']);
    expect(terminated.status).toBe(202);
    shred = terminated.body;
    const due = await until('the shred timers', async () => {
      const items = (await read('/v1/schedule?kind=shred-execution&kind=shred-deadline')).body.items.filter((i: any) => i.tenantId === 'audit');
      return items.length === 2 ? items : undefined;
    });
    expect(due).toEqual([
      { kind: 'shred-execution', tenantId: 'audit', dueAt: shred.executeAt, subject: { type: 'shred', id: shred.shredId }, state: 'pending', attempts: 0 },
      { kind: 'shred-deadline', tenantId: 'audit', dueAt: shred.deadline, subject: { type: 'shred', id: shred.shredId }, state: 'pending', attempts: 0 },
    ]);

    await setClock(new Date(Date.parse(shred.executeAt) + 1).toISOString());
    await until('the certificate', async () => ((await read('/v1/tenants/audit/deletion-certificate')).status === 200 ? true : undefined));
    const t = await until('the key ring destroyed in the timeline', async () => {
      const body = await timeline();
      return body.versions.every((v: any) => v.status === 'destroyed') ? body : undefined;
    });
    expect(t.destroyedAt).not.toBeNull();
    // Verified: the shred's deadline check is cancelled, not left on the schedule as a no-op.
    await until('the verified shred off the schedule', async () => {
      const items = (await read('/v1/schedule?kind=shred-execution&kind=shred-deadline')).body.items.filter((i: any) => i.tenantId === 'audit');
      return items.length === 0 ? true : undefined;
    });
    expect(t.versions[1]).toMatchObject({ keyVersionId: v2, destroyedAt: expect.any(String), retainedUntil: null });
    // The retired version keeps the retention end it was retired against; retiredAt is when the timer fired, at or after it.
    const [old, current] = t.versions;
    expect(old).toMatchObject({ keyVersionId: v1, retiredAt: expect.any(String), retainedUntil: BACKUP_EXPIRES });
    expect(Date.parse(old.retiredAt)).toBeGreaterThanOrEqual(Date.parse(old.retainedUntil));
    // destroyedAt is when each version's material was destroyed: the retired one was still in its
    // grace (disabled, LETHE_RETIRED_KEY_GRACE_DAYS=7) at the shred, so the shred destroyed it with the live one.
    expect(Date.parse(shred.executeAt) - Date.parse(old.retiredAt)).toBeLessThan(7 * 86_400_000);
    expect(Date.parse(old.destroyedAt)).toBeGreaterThanOrEqual(Date.parse(shred.executeAt));
    expect(Date.parse(current.destroyedAt)).toBeGreaterThanOrEqual(Date.parse(shred.executeAt));
    // A destroyed version protects nothing: the intervals still open at the shred end at its destruction.
    expect(current.protects.length).toBe(3);
    expect(current.protects.map((p: any) => p.until)).toEqual([current.destroyedAt, current.destroyedAt, current.destroyedAt]);
    expect(old.protects.every((p: any) => p.until !== null && Date.parse(p.until) <= Date.parse(old.retiredAt))).toBe(true);
  });

  it('lists the whole history in global order, the same in pages of any size, with causes and summaries', async () => {
    const all = await allEvents('audit', 500);
    const stored = await e.pool.query<{ p: string; stream_id: string; event_type: string }>(
      `select global_position::text as p, stream_id, event_type from lethe_events where stream_id in ('tenant-audit', 'keys-audit', 'contract-audit') order by global_position`,
    );
    expect(all.map((i) => [i.position, i.stream, i.type])).toEqual(stored.rows.map((r) => [r.p, r.stream_id, r.event_type]));
    expect(all.length).toBeGreaterThan(15);
    for (const limit of [1, 4, 7]) expect(await allEvents('audit', limit)).toEqual(all);

    const types = all.map((i) => i.type);
    const order = ['TenantOnboarded', 'KeyRingOpened', 'DatabaseAdded', 'BackupRecorded', 'KeyVersionAdded', 'DatabaseReprotected', 'KeyVersionRetired', 'ContractTerminated', 'ShredScheduled', 'ShredExecutionStarted', 'KeyDestroyed', 'ShredProbeRecorded', 'ShredVerified', 'DeletionCertificateIssued'];
    const firstAt = order.map((t) => types.indexOf(t));
    expect(firstAt.every((i) => i >= 0)).toBe(true);
    expect(firstAt).toEqual([...firstAt].sort((a, b) => a - b));
    expect(types).toContain('KeyRingDestroyed');
    expect(all.every((i) => typeof i.summary === 'string' && i.summary.length > 10 && !i.summary.includes('undefined'))).toBe(true);

    const one = (type: string) => all.find((i) => i.type === type);
    const added = one('KeyVersionAdded');
    expect(added).toMatchObject({ stream: 'keys-audit', at: at(60 * 60 * 1000), cause: { kind: 'request', name: 'rotate-key', position: null }, summary: `Key version ${v2} created (manual)` });
    expect(one('TenantOnboarded')).toMatchObject({ at: T0, cause: { kind: 'request', name: 'onboard-tenant' } });
    expect(one('BackupRecorded').cause).toEqual({ kind: 'request', name: 'record-backup', position: null });
    expect(one('DatabaseReprotected').cause).toEqual({ kind: 'timer', name: 'reprotection', position: null });
    expect(one('KeyVersionRetired')).toMatchObject({ cause: { kind: 'timer', name: 'retirement' }, summary: expect.stringContaining(`Key version ${v1} retired (retained until ${BACKUP_EXPIRES}): disabled in the vault, destroyed at `) });
    expect(one('ContractTerminated')).toMatchObject({ stream: 'contract-audit', cause: { kind: 'request', name: 'terminate-contract' }, summary: `Contract c-1 terminated (termination t-1), effective ${terminatedAt}` });
    // The terminate request schedules the shred itself, and the shred saga reacting to ContractTerminated
    // would too: whichever commits first is the cause, and both are named exactly.
    expect([
      { kind: 'request', name: 'terminate-contract', position: null },
      { kind: 'event', name: 'ContractTerminated', position: one('ContractTerminated').position },
    ]).toContainEqual(one('ShredScheduled').cause);
    expect(one('ShredExecutionStarted').cause).toEqual({ kind: 'timer', name: 'shred-execution', position: null });
    const destroyed = one('KeyDestroyed');
    expect(one('KeyRingDestroyed').cause).toEqual({ kind: 'event', name: 'KeyDestroyed', position: destroyed.position });
    expect(one('DeletionCertificateIssued').cause).toEqual({ kind: 'engine', name: 'issue-certificate', position: null });
    expect(one('ShredVerified').summary).toBe(`Shred ${shred.shredId} verified by read probe 1`);
  });

  it('names who caused each event: the subject of the call, none for timers and processors, never a token', async () => {
    const all = await allEvents('audit', 500);
    const one = (type: string) => all.find((i) => i.type === type);
    expect(one('TenantOnboarded').by).toBe(SUBJECTS.operator);
    expect(one('BackupRecorded').by).toBe(SUBJECTS.operator);
    expect(one('KeyVersionAdded').by).toBe(SUBJECTS.operator);
    expect(one('ContractTerminated').by).toBe(SUBJECTS['contract-system']);
    expect(one('DatabaseReprotected').by).toBeNull();
    expect(one('KeyVersionRetired').by).toBeNull();
    expect(one('ShredExecutionStarted').by).toBeNull();
    const metadata = (await e.pool.query<{ m: string }>('select metadata::text as m from lethe_events')).rows.map((r) => r.m).join('\n');
    for (const token of Object.values(e.tokens)) expect(metadata).not.toContain(token);
  });

  it('answers 404 for an unknown tenant, 403 for a role that may not read, and 400 naming the field for bad input', async () => {
    expect((await read('/v1/tenants/nobody/events')).status).toBe(404);
    expect((await read('/v1/tenants/nobody/events')).body.code).toBe('tenant-not-found');
    expect((await read('/v1/tenants/nobody/keys/timeline')).status).toBe(404);
    expect((await read('/v1/tenants/audit/events', e.tokens['contract-system'])).status).toBe(403);
    expect((await read('/v1/schedule', e.tokens['contract-system'])).status).toBe(403);
    expect((await read('/v1/tenants/audit/events', e.tokens.operator)).status).toBe(200);
    const bad = async (path: string, field: string) => {
      const res = await read(path);
      expect(res.status).toBe(400);
      expect(res.body.errors.map((x: any) => x.field)).toEqual([field]);
    };
    await bad('/v1/tenants/audit/events?limit=0', 'limit');
    await bad('/v1/tenants/audit/events?limit=501', 'limit');
    await bad('/v1/tenants/audit/events?limit=ten', 'limit');
    await bad('/v1/tenants/audit/events?after=nope', 'after');
    await bad('/v1/tenants/Bad_Id/events', 'tenantId');
    const otherCursor = (await read(`/v1/tenants/other/events?limit=1&minPosition=${await head()}`)).body.nextCursor;
    expect(otherCursor).toEqual(expect.any(String));
    await bad(`/v1/tenants/audit/events?after=${otherCursor}`, 'after');
  });

  it('puts no key material, wrapped key, data key or token in any audit answer', async () => {
    const masterKey = await loadMasterKey({ env: e.masterKey, dataDir: mkdtempSync(join(tmpdir(), 'lethe-audit-')) });
    const vault = new LocalKeyVault(e.pool, masterKey, new ManualClock(new Date(now)));
    // 'other' is never shredded: its data key can still be unwrapped, and its wrapped bytes are still stored.
    const databases = await e.pool.query<{ key_version_id: string; wrapped_data_key: Buffer }>(`select key_version_id, wrapped_data_key from dataplane_databases`);
    const wrapped = await e.pool.query<{ m: Buffer }>(`select wrapped_material as m from vault_key_versions where wrapped_material is not null`);
    const secrets: Buffer[] = [Buffer.from(e.masterKey, 'base64'), ...wrapped.rows.map((r) => r.m)];
    for (const r of databases.rows) {
      secrets.push(r.wrapped_data_key);
      const plain = await vault.unwrap(r.key_version_id, r.wrapped_data_key).catch(() => null);
      if (plain) secrets.push(plain);
    }
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    const needles = [...secrets.flatMap((s) => [s.toString('hex'), s.toString('base64'), s.toString('base64url')]), ...Object.values(e.tokens)];
    for (const tenantId of ['audit', 'other']) await allEvents(tenantId, 500);
    await read('/v1/tenants/other/keys/timeline');
    const audited = responses.filter((r) => r.status === 200);
    expect(audited.length).toBeGreaterThan(30);
    for (const r of audited) for (const n of needles) expect(r.text.includes(n)).toBe(false);
  });
});
