/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// Promises that must hold under races and whatever order processors run in (issue: "Promises that
// hold under races, crashes and every way in"). An API-only engine takes the requests while no
// processor runs; a second engine with the processors and the poller starts later, so every trigger
// is processed after the cancel that followed it. Real PostgreSQL, real vault, real HTTP.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import type { ManualClock } from '@lethe/clock';
import { PostgresEventStore } from '@lethe/eventstore';
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
const MASTER_KEY = randomBytes(32).toString('base64');
const START = '2026-12-01T09:00:00.000Z';

let db: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;
let front: RunningEngine;
let workers: RunningEngine | undefined;
let api: ReturnType<typeof apiClient>;
const dataDir = mkdtempSync(join(tmpdir(), 'lethe-races-'));

function configFor(roles: string) {
  return loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    LETHE_DATA_DIR: dataDir,
    LETHE_ROLES: roles,
    LETHE_INSTANCE_ID: roles.replaceAll(',', '-'),
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: START,
    LETHE_DEADLINE_POLL_MS: '100',
    LETHE_KEY_DETECTION_MS: '3600000',
    LETHE_MASTER_KEY: MASTER_KEY,
    LETHE_TOKENS: `operator:${T.op},admin:${T.admin},ops-reader:${T.reader},contract-system:${T.cs}`,
  });
}
const quiet = () => createLogger('error', new Writable({ write: (c, _e, done) => (process.env.DEBUG_RACES && process.stderr.write(String(c)), done()) }));

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
  store = new PostgresEventStore(pool);
  // Requests only: nothing follows the log until the workers start.
  front = await startEngine(configFor('api'), { logger: quiet() });
  api = apiClient(front.url);
}, 60_000);

afterAll(async () => {
  await workers?.close();
  await front?.close();
  await store?.close();
  await pool?.end();
  await db?.drop();
});

const onboardBody = (tenantId: string, jurisdiction = 'GB-ENG') => ({
  tenantId,
  jurisdiction,
  keyCustody: 'managed',
  backupKeyMode: 'customer',
  databases: [{ databaseId: 'db-1' }],
});
const onboard = (tenantId: string) => api('POST', '/v1/tenants', T.op, onboardBody(tenantId));
const terminate = (tenantId: string, terminationId: string) =>
  api('POST', `/v1/tenants/${tenantId}/terminations`, T.cs, { terminationId, contractId: 'c-1', effectiveAt: '2026-12-02T10:00:00Z' });
const cancel = (tenantId: string) => api('POST', `/v1/tenants/${tenantId}/shred/cancel`, T.op, { reason: 'contract renewed' });
/** A ContractTerminated appended straight into the contract stream, as a contract system may. */
const appendTermination = (tenantId: string, data: Record<string, unknown>) =>
  store.append(`contract-${tenantId}`, [{ id: randomUUID(), type: 'ContractTerminated', data: data as any }], 'any');
const typesOf = async (stream: string) => (await store.readStream(stream)).map((e) => e.type);

async function startWorkers(): Promise<void> {
  workers = await startEngine(configFor('api,processors,poller'), { logger: quiet() });
}

/** Every processor has handled every event stored so far. */
async function processorsCaughtUp(): Promise<void> {
  await waitUntil(
    async () => {
      const head = await pool.query<{ p: string | null }>('select max(global_position)::text as p from lethe_events');
      const behind = await pool.query('select 1 from lethe_checkpoints where position < $1', [head.rows[0].p ?? '0']);
      const count = await pool.query('select count(*)::int as n from lethe_checkpoints');
      return count.rows[0].n >= 5 && behind.rowCount === 0;
    },
    30_000,
    'processors to catch up',
  );
}

async function advanceTo(now: string): Promise<void> {
  const w = apiClient(workers!.url);
  const res = await w('POST', '/v1/admin/clock', T.admin, { now });
  expect(res.status).toBe(200);
  // Both engines share one database: keep the front engine's clock with the workers'.
  (front.clock as ManualClock).set(new Date(now));
}

describe('fault 4: concurrent writes to one key ring (before any processor runs)', () => {
  it('60 parallel rotations and 30 parallel backups answer 2xx or 409 concurrent-modification with Retry-After, never 500', async () => {
    expect((await onboard('busy')).status).toBe(201);
    const rotations = await Promise.all(Array.from({ length: 60 }, () => api('POST', '/v1/tenants/busy/keys/rotate', T.op)));
    const backups = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        api('POST', '/v1/tenants/busy/backups', T.op, {
          backupId: `b-${i}`,
          databaseId: 'db-1',
          kind: 'full',
          coveredFrom: '2026-12-01T08:00:00Z',
          takenAt: '2026-12-01T08:30:00Z',
          expiresAt: '2027-01-01T00:00:00Z',
        }),
      ),
    );
    const patches = await Promise.all(Array.from({ length: 20 }, (_, i) => api('PATCH', '/v1/tenants/busy', T.op, { rotationPeriodDays: 100 + i })));
    const databases = await Promise.all(Array.from({ length: 20 }, (_, i) => api('POST', '/v1/tenants/busy/databases', T.op, { databaseId: `extra-${i}` })));
    for (const r of [...rotations, ...backups, ...patches, ...databases]) {
      if (r.status >= 500) throw new Error(`5xx: ${r.text}`);
      if (r.status === 409) {
        expect(r.body.code).toBe('concurrent-modification');
        expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
      } else {
        expect([200, 201, 202]).toContain(r.status);
      }
    }
    // What was answered 2xx is stored; a 409 stored nothing.
    const ring = await store.readStream('keys-busy');
    const added = ring.filter((e) => e.type === 'KeyVersionAdded').length;
    expect(added).toBe(rotations.filter((r) => r.status === 202).length);
    expect(ring.filter((e) => e.type === 'BackupRecorded').length).toBe(backups.filter((r) => r.status === 201).length);
    expect(ring.filter((e) => e.type === 'DatabaseAdded').length).toBe(databases.filter((r) => r.status === 201).length);
  }, 60_000);
});

describe('fault 1: a cancel withdraws every trigger received before it, whenever processors run', () => {
  it('order A: t1, t2..t20 and a direct contract append, then cancel; processors later: no shred, keys intact', async () => {
    expect((await onboard('ord-a')).status).toBe(201);
    expect((await terminate('ord-a', 't1')).body.outcome).toBe('scheduled');
    const others = await Promise.all(Array.from({ length: 19 }, (_, i) => terminate('ord-a', `t${i + 2}`)));
    expect(others.map((r) => r.body.outcome)).toEqual(Array(19).fill('already-scheduled'));
    await appendTermination('ord-a', { terminationId: 'direct-1', contractId: 'c-1', effectiveAt: '2026-12-02T10:00:00Z' });
    expect((await cancel('ord-a')).status).toBe(200);
  });

  it('order B: t1, cancel, then a new trigger (HTTP and direct): a new shred is scheduled', async () => {
    expect((await onboard('ord-b')).status).toBe(201);
    expect((await terminate('ord-b', 't1')).status).toBe(202);
    expect((await cancel('ord-b')).status).toBe(200);
    const after = await terminate('ord-b', 't2');
    expect(after.body).toMatchObject({ outcome: 'scheduled', shredId: 'termination:t2' });
    expect((await onboard('ord-c')).status).toBe(201);
    expect((await terminate('ord-c', 't1')).status).toBe(202);
    expect((await cancel('ord-c')).status).toBe(200);
    await appendTermination('ord-c', { terminationId: 'direct-after', contractId: 'c-1', effectiveAt: '2026-12-02T10:00:00Z' });
  });

  it('after the processors catch up and the deadlines pass: A keeps its keys, B and C are shredded by the later trigger', async () => {
    await startWorkers();
    await processorsCaughtUp();
    const a = await typesOf('tenant-ord-a');
    expect(a.filter((t) => t === 'ShredScheduled')).toHaveLength(1);
    expect(a.filter((t) => t === 'ShredTriggerRecorded')).toHaveLength(20);
    const c = await store.readStream('tenant-ord-c');
    expect(c.filter((e) => e.type === 'ShredScheduled').map((e) => (e.data as any).shredId)).toEqual(['termination:t1', 'termination:direct-after']);
    await advanceTo('2026-12-20T00:00:00.000Z');
    await waitUntil(async () => (await typesOf('tenant-ord-c')).includes('ShredVerified'), 30_000, 'ord-c shred verified');
    await waitUntil(async () => (await typesOf('tenant-ord-b')).includes('ShredVerified'), 30_000, 'ord-b shred verified');
    await processorsCaughtUp();
    expect(await typesOf('tenant-ord-a')).not.toContain('KeyDestroyed');
    const keys = await api('GET', '/v1/tenants/ord-a/keys', T.reader);
    expect(keys.body.versions.map((v: any) => v.status)).toEqual(['active']);
    const vault = await pool.query(`select v.state from vault_key_versions v join vault_keys k using (key_id) where k.tenant_id = 'ord-a'`);
    expect(vault.rows.map((r) => r.state)).toEqual(['enabled']);
  }, 90_000);
});

describe('fault 2: concurrent onboarding of one tenant id', () => {
  it('with 10 different bodies: exactly one 201 with what was stored, 409 for the rest, nothing of theirs in the vault or data plane', async () => {
    const jurisdictions = ['GB-ENG', 'FR', 'DE-BY', 'IE', 'US-NY', 'JP', 'GB-SCT', 'NL', 'BE', 'ES'];
    const answers = await Promise.all(
      jurisdictions.map((j, i) =>
        api('POST', '/v1/tenants', T.op, { ...onboardBody('race-1', j), databases: [{ databaseId: `db-${i}` }] }),
      ),
    );
    const won = answers.filter((r) => r.status === 201);
    expect(won).toHaveLength(1);
    expect(answers.filter((r) => r.status === 409).map((r) => r.body.code)).toEqual(Array(9).fill('tenant-exists'));
    const stored = (await store.readStream('tenant-race-1'))[0].data as any;
    expect(won[0].body.jurisdiction).toBe(stored.jurisdiction);
    expect(won[0].body.databases).toEqual(stored.databases);
    const protectedDbs = await pool.query(`select database_id from dataplane_databases where tenant_id = 'race-1'`);
    expect(protectedDbs.rows.map((r) => r.database_id)).toEqual(stored.databases.map((d: any) => d.databaseId));
    const keys = await pool.query(`select count(*)::int as n from vault_key_versions v join vault_keys k using (key_id) where k.tenant_id = 'race-1'`);
    expect(keys.rows[0].n).toBe(1);
  });

  it('with the same body 10 times: every caller gets the same 201', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => onboard('race-2')));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(201));
    expect(new Set(answers.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(await typesOf('tenant-race-2')).toEqual(['TenantOnboarded']);
  });
});

describe('fault 6: the key ring owns databases', () => {
  it('a database added later is in the tenant view and in the probe list that verifies the shred', async () => {
    expect((await onboard('grows')).status).toBe(201);
    expect((await api('POST', '/v1/tenants/grows/databases', T.op, { databaseId: 'db-later' })).status).toBe(201);
    // The tenant view shows the key ring's databases (once the projection has the new one).
    await waitUntil(async () => (await api('GET', '/v1/tenants/grows', T.reader)).body.databases.length === 2, 10_000, 'the view to show db-later');
    expect((await api('GET', '/v1/tenants/grows', T.reader)).body.databases).toEqual([{ databaseId: 'db-1' }, { databaseId: 'db-later' }]);
    await api('POST', '/v1/tenants/grows/deletion-requests', T.cs, { requestId: 'r-1' });
    await processorsCaughtUp();
    await advanceTo('2026-12-31T00:00:00.000Z');
    await waitUntil(async () => (await typesOf('tenant-grows')).includes('ShredVerified'), 30_000, 'grows verified');
    const probe = (await store.readStream('tenant-grows')).find((e) => e.type === 'ShredProbeRecorded')!.data as any;
    expect(probe.results.map((r: any) => [r.databaseId, r.outcome])).toEqual([
      ['db-1', 'key-destroyed'],
      ['db-later', 'key-destroyed'],
    ]);
    await waitUntil(async () => (await api('GET', '/v1/tenants/grows', T.reader)).body.status === 'verified', 10_000, 'view verified');
    expect((await api('GET', '/v1/tenants/grows', T.reader)).body.databases).toEqual([{ databaseId: 'db-1' }, { databaseId: 'db-later' }]);
  }, 60_000);
});

describe('fault 7: a malformed contract event is rejected, never triggers a shred', () => {
  it('validates a direct append with the HTTP schema, records the rejection (field and rule, no payload), and lists it for ops', async () => {
    expect((await onboard('strict')).status).toBe(201);
    await appendTermination('strict', { terminationId: 't-bad', contractId: { x: 1 }, effectiveAt: '2026-12-02T10:00:00Z' });
    await appendTermination('strict', { terminationId: 't-bad-2', contractId: 'c-1', effectiveAt: 'next tuesday', secret: 'do-not-echo' });
    await appendTermination('nobody-here', { terminationId: 't-x', contractId: 'c-1', effectiveAt: '2026-12-02T10:00:00Z' });
    const http = await api('POST', '/v1/tenants/strict/terminations', T.cs, { terminationId: 't-bad', contractId: { x: 1 }, effectiveAt: '2026-12-02T10:00:00Z' });
    expect(http.status).toBe(400);
    await processorsCaughtUp();
    expect(await typesOf('tenant-strict')).toEqual(['TenantOnboarded']);
    const contract = await store.readStream('contract-strict');
    const rejected = contract.filter((e) => e.type === 'ContractEventRejected').map((e) => e.data as any);
    expect(rejected.map((r) => r.errors)).toEqual([
      [{ field: 'contractId', rule: http.body.errors[0].rule }],
      [
        { field: 'effectiveAt', rule: expect.stringContaining('ISO 8601') },
        { field: 'secret', rule: 'is not an allowed field' },
      ],
    ]);
    expect(JSON.stringify(rejected)).not.toContain('do-not-echo');
    const listed = await api('GET', '/v1/rejected-events', T.reader);
    expect(listed.status).toBe(200);
    expect(listed.body.total).toBe(3);
    expect(listed.body.rejected.map((r: any) => r.streamId).sort()).toEqual(['contract-nobody-here', 'contract-strict', 'contract-strict']);
  }, 60_000);
});
