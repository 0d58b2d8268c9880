/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// Compliance violations as integration events, end to end: the real engine (in process, manual
// clock) on real PostgreSQL. A managed tenant's databases cannot be re-protected (its vault wraps
// fail) after a rotation: when the clock passes the 24 hours of P2, the compliance watch's timer opens a
// violation, published as compliance.violation-opened (outbox and a webhook); once the databases are
// re-protected, compliance.violation-closed follows, naming the same violation, each exactly once.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import type { KeyVault } from '@lethe/vault';
import { loadConfig } from '../../apps/engine/src/config/engine-config.js';
import { startEngine, type RunningEngine } from '../../apps/engine/src/engine.js';
import { createLogger } from '../../apps/engine/src/logging/logger.js';
import { apiClient } from '../support/http-client.js';
import { waitUntil } from '../support/engine-process.js';

const T = { op: `op-${randomBytes(10).toString('hex')}`, admin: `ad-${randomBytes(10).toString('hex')}`, reader: `rd-${randomBytes(10).toString('hex')}` };
const HOUR = 60 * 60 * 1000;
const TENANT = 'promise-breaker';

let db: TestDatabase;
let pool: pg.Pool;
let engine: RunningEngine;
let api: ReturnType<typeof apiClient>;
let receiver: http.Server;
const hooks: any[] = [];
/** While set, the tenant's wrap calls fail: its databases cannot be re-protected. */
let wrapOutage = false;
let now = new Date('2027-01-04T09:00:00.000Z');

function outageVault(inner: KeyVault): KeyVault {
  return {
    capabilities: inner.capabilities,
    createKey: (t) => inner.createKey(t),
    createVersion: (k, r) => inner.createVersion(k, r),
    listVersions: (k) => inner.listVersions(k),
    wrap: async (v, p) => {
      if (wrapOutage) throw Object.assign(new Error('vault unavailable'), { name: 'VaultUnavailableError' });
      return inner.wrap(v, p);
    },
    unwrap: (v, w) => inner.unwrap(v, w),
    disable: (v) => inner.disable(v),
    enable: (v) => inner.enable(v),
    destroy: (v) => inner.destroy(v),
    destroyKey: (k) => inner.destroyKey(k),
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hooks.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    LETHE_DATA_DIR: mkdtempSync(join(tmpdir(), 'lethe-compliance-')),
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: now.toISOString(),
    LETHE_DEADLINE_POLL_MS: '100',
    LETHE_KEY_DETECTION_MS: String(24 * HOUR),
    LETHE_MASTER_KEY: randomBytes(32).toString('base64'),
    LETHE_TOKENS: `operator:${T.op},admin:${T.admin},ops-reader:${T.reader}`,
    LETHE_WEBHOOKS: JSON.stringify([
      { name: 'ticketing', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, secret: randomBytes(24).toString('hex'), types: ['compliance.violation-opened', 'compliance.violation-closed'] },
    ]),
    LETHE_WEBHOOKS_ALLOW_HTTP: 'true',
    LETHE_OUTBOUND_RETRY_BASE_MS: '200',
    LETHE_OUTBOUND_RETRY_MAX_MS: '1000',
  });
  const sink = new Writable({ write: (_c, _e, done) => done() });
  engine = await startEngine(config, { logger: createLogger('warn', sink), decorateVault: outageVault });
  api = apiClient(engine.url);
}, 60_000);

afterAll(async () => {
  await engine?.close();
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
  await pool?.end();
  await db?.drop();
});

async function advance(ms: number) {
  now = new Date(now.getTime() + ms);
  expect((await api('POST', '/v1/admin/clock', T.admin, { now: now.toISOString() })).status).toBe(200);
}
/** The compliance integration events of the outbox, in log order. */
const outbox = async () =>
  (await pool.query(`select body from lethe_outbound_events where tenant_id = $1 and type like 'compliance.%' order by position`, [TENANT])).rows.map((r) => JSON.parse(r.body));
const watchEvents = async () => (await pool.query(`select event_type from lethe_events where stream_id = $1 order by stream_revision`, [`compliance-${TENANT}`])).rows.map((r) => r.event_type);
const timer = async () => (await pool.query(`select status, due_at from lethe_deadlines where id = $1`, [`compliance-check:${TENANT}`])).rows[0];
/** Waits for `check`, ticking the clock where it stands (timers written after the last move fire on the next tick). */
async function eventually(what: string, check: () => Promise<boolean>) {
  await waitUntil(async () => {
    await api('POST', '/v1/admin/clock', T.admin, { now: now.toISOString() });
    return check();
  }, 15_000, what);
}

it('a broken P2 opens a violation when its 24 hours are over, published once; re-protection closes it, published once', async () => {
  expect(
    (await api('POST', '/v1/tenants', T.op, { tenantId: TENANT, jurisdiction: 'GB-ENG', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }] })).status,
  ).toBe(201);
  await eventually('the key ring', async () => (await api('GET', `/v1/tenants/${TENANT}/keys`, T.reader)).body?.versions?.length === 1);

  wrapOutage = true;
  const rotated = await api('POST', `/v1/tenants/${TENANT}/keys/rotate`, T.op);
  expect(rotated.status).toBe(202);
  const keyVersionId = rotated.body.keyVersionId;
  const createdAt: string = rotated.body.createdAt;
  // The watch's one timer waits for the instant P2 breaks: just after the 24 hours.
  await eventually('the compliance timer at the P2 limit', async () => (await timer())?.due_at?.getTime() === Date.parse(createdAt) + 24 * HOUR + 1);

  await advance(12 * HOUR);
  expect(await watchEvents()).toEqual([]);

  await advance(12 * HOUR + 60_000);
  await eventually('the violation opened and published', async () => (await outbox()).length === 1 && hooks.length === 1);
  const [opened] = await outbox();
  expect(opened).toMatchObject({
    type: 'compliance.violation-opened',
    schemaVersion: 1,
    tenantId: TENANT,
    data: { promise: 'P2', violationId: `P2:${TENANT}:${keyVersionId}`, detail: { problem: 'databases-not-reprotected', keyVersionId, databaseIds: ['db-1', 'db-2'] } },
  });
  expect(Date.parse(opened.data.openedAt)).toBeGreaterThan(Date.parse(createdAt) + 24 * HOUR);
  expect(hooks[0]).toEqual(opened);
  // Still broken later: nothing new is recorded.
  await advance(HOUR);
  expect(await watchEvents()).toEqual(['ComplianceViolationOpened']);

  wrapOutage = false;
  await advance(10 * 60_000);
  await eventually('the violation closed and published', async () => (await outbox()).length === 2 && hooks.length === 2);
  const closed = (await outbox())[1];
  expect(closed).toMatchObject({
    type: 'compliance.violation-closed',
    tenantId: TENANT,
    data: { promise: 'P2', violationId: `P2:${TENANT}:${keyVersionId}`, openedAt: opened.data.openedAt },
  });
  expect(hooks[1]).toEqual(closed);
  expect(await watchEvents()).toEqual(['ComplianceViolationOpened', 'ComplianceViolationClosed']);

  // The audit trail shows both, caused by the watch's timer and by the re-protection's event. It
  // shows what every read model has passed, so wait for it to reach the closing.
  let trail: any[] = [];
  await waitUntil(async () => (trail = (await api('GET', `/v1/tenants/${TENANT}/events?limit=500`, T.reader)).body.items).some((i: any) => i.type === 'ComplianceViolationClosed'), 10_000, 'the audit trail reaching the closing');
  expect(trail.find((i: any) => i.type === 'ComplianceViolationOpened')).toMatchObject({ stream: `compliance-${TENANT}`, cause: { kind: 'timer', name: 'compliance-check' } });
  expect(trail.find((i: any) => i.type === 'ComplianceViolationClosed')).toMatchObject({ cause: { kind: 'event', name: 'DatabaseReprotected' } });
}, 90_000);
