/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// P5 end to end with LETHE_PROBE=http: the engine (in process, manual clock, real PostgreSQL) verifies a
// shred by reading each database's sentinel from the sample tenant data service over real HTTP, as a
// client would. Verified only when the service answers the expected failure; while it is down or hangs,
// the probe is inconclusive and the shred is not verified; once it is back, the retry verifies it.
import { createPublicKey } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '@lethe/clock';
import { LocalDataPlane, httpProbeReason, platformKeyFrom } from '@lethe/dataplane';
import { verifyCertificate } from '@lethe/lifecycle';
import { LocalKeyVault, loadMasterKey } from '@lethe/vault';
import { loadConfig } from '../../apps/engine/src/config/engine-config.js';
import { startEngine } from '../../apps/engine/src/engine.js';
import { createLogger } from '../../apps/engine/src/logging/logger.js';
import { waitUntil } from '../support/engine-process.js';
import { startInProcessEngine, type InProcessEngine } from '../support/in-process-engine.js';
import { KEY_DESTROYED_TYPE, startSampleDataService, type SampleDataService } from '../support/sample-data-service.js';

// Mon 4 Jan 2027, London.
const T0 = '2027-01-04T09:00:00.000Z';
// Long enough that a cold first probe on a loaded CI machine answers in time (at 400 ms, one timed out in
// CI: inconclusive, and its retry a minute later never came on the manual clock); short enough for the
// 'timeout' mode below.
const PROBE_TIMEOUT_MS = 2_500;
let e: InProcessEngine;
let service: SampleDataService;
let dir: string;
let headersFile: string;

beforeAll(async () => {
  service = await startSampleDataService();
  dir = mkdtempSync(join(tmpdir(), 'lethe-shred-http-probe-'));
  headersFile = join(dir, 'probe-headers');
  writeFileSync(headersFile, `# the sample service's credentials\nAuthorization: Bearer ${service.token}\n`, { mode: 0o600 });
  chmodSync(headersFile, 0o600);
  e = await startInProcessEngine(T0, {
    LETHE_PROBE: 'http',
    LETHE_PROBE_URL_TEMPLATE: service.urlTemplate,
    LETHE_PROBE_HEADERS_FILE: headersFile,
    LETHE_PROBE_TIMEOUT_MS: String(PROBE_TIMEOUT_MS),
    LETHE_PROBE_EXPECT_STATUS: '410',
    LETHE_PROBE_EXPECT_PROBLEM_TYPE: KEY_DESTROYED_TYPE,
    LETHE_PROBE_ALLOW_HTTP: 'true',
  });
  // The service reads the engine's databases through the data plane, with the engine's master key.
  const masterKey = await loadMasterKey({ env: e.masterKey, dataDir: mkdtempSync(join(tmpdir(), 'lethe-k-')) });
  const clock = new ManualClock(new Date(T0));
  service.attach(new LocalDataPlane(e.pool, new LocalKeyVault(e.pool, masterKey, clock), platformKeyFrom(masterKey), clock));
}, 60_000);

afterAll(async () => {
  await e?.stop();
  await service?.close();
});

const onboard = (tenantId: string) =>
  e.api('POST', '/v1/tenants', e.tokens.operator, {
    tenantId,
    jurisdiction: 'GB-ENG',
    keyCustody: 'managed',
    backupKeyMode: 'platform',
    databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }],
  });
const setClock = async (now: string) => expect((await e.api('POST', '/v1/admin/clock', e.tokens.admin, { now })).status).toBe(200);
const plus = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

async function eventsOf(tenantId: string): Promise<{ id: string; type: string; data: any }[]> {
  const r = await e.pool.query('select event_id as id, event_type as type, data from lethe_events where stream_id = $1 order by stream_revision', [`tenant-${tenantId}`]);
  return r.rows;
}
const probesOf = async (tenantId: string) => (await eventsOf(tenantId)).filter((ev) => ev.type === 'ShredProbeRecorded');

/** What a client reads from the service now (the sample service's answer to the tenant's own token). */
async function clientRead(tenantId: string, databaseId: string): Promise<{ status: number; body: string }> {
  const url = service.urlTemplate.replace('{tenantId}', encodeURIComponent(tenantId)).replace('{databaseId}', encodeURIComponent(databaseId));
  const res = await fetch(url, { headers: { authorization: `Bearer ${service.token}` } });
  return { status: res.status, body: await res.text() };
}

/** Waits for the tenant's ShredVerified; on timeout, says which events and probe answers there were. */
async function waitVerified(tenantId: string): Promise<void> {
  let seen = 'no events read';
  await waitUntil(
    async () => {
      const events = await eventsOf(tenantId);
      const probes = events.filter((ev) => ev.type === 'ShredProbeRecorded').map((ev) => ev.data.results.map((r: any) => r.detail));
      seen = `events ${events.map((ev) => ev.type).join(', ')}; probe answers ${JSON.stringify(probes)}`;
      return events.some((ev) => ev.type === 'ShredVerified');
    },
    15_000,
    () => `${tenantId} verified (${seen})`,
  );
}

async function requestDeletion(tenantId: string): Promise<{ executeAt: string; deadline: string }> {
  expect((await onboard(tenantId)).status).toBe(201);
  const res = await e.api('POST', `/v1/tenants/${tenantId}/deletion-requests`, e.tokens['contract-system'], { requestId: `r-${tenantId}` });
  expect(res.status).toBe(202);
  await waitUntil(
    async () =>
      (await e.pool.query(`select 1 from lethe_deadlines where kind = 'shred-step' and status = 'pending' and payload->>'tenantId' = $1`, [tenantId])).rowCount === 1,
    10_000,
    `the shred timer of ${tenantId}`,
  );
  return res.body;
}

describe('a shred verified by the http read probe', () => {
  it('reads the sentinel through the service while the key lives; after the shred the service fails the expected way and the certificate shows the http probe', async () => {
    const { executeAt } = await requestDeletion('acme');
    // A client reads the data while the key lives.
    expect(await clientRead('acme', 'db-1')).toEqual({ status: 200, body: 'lethe-sentinel:acme:db-1' });

    const before = service.requests.length;
    await setClock(plus(executeAt, 1));
    await waitVerified('acme');

    // The engine asked the service for each database, with the credentials of the headers file.
    expect(service.requests.slice(before).map(({ path, authorized, status }) => ({ path, authorized, status })).sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: '/v1/tenants/acme/databases/db-1/sentinel', authorized: true, status: 410 },
      { path: '/v1/tenants/acme/databases/db-2/sentinel', authorized: true, status: 410 },
    ]);
    const [probe] = await probesOf('acme');
    expect(probe.data.outcome).toBe('key-destroyed');
    for (const db of ['db-1', 'db-2']) {
      expect(probe.data.results).toContainEqual({
        databaseId: db,
        outcome: 'key-destroyed',
        detail: `http probe of database ${db} of tenant acme at ${service.origin}: 410 with problem type ${KEY_DESTROYED_TYPE}, the expected failure: the key is destroyed, the data unreadable`,
      });
    }
    // And a client now gets the same failure.
    expect((await clientRead('acme', 'db-1')).status).toBe(410);

    let cert: any;
    await waitUntil(async () => (cert = await e.api('GET', '/v1/tenants/acme/deletion-certificate', e.tokens['ops-reader'])).status === 200, 10_000, 'the certificate');
    const publicKey = (await e.api('GET', '/v1/certificate-key')).body;
    expect(verifyCertificate(cert.body, createPublicKey(publicKey.pem))).toEqual({ valid: true, keyId: publicKey.keyId });
    expect(cert.body.certificate.probes).toEqual([
      { attempt: 1, outcome: 'key-destroyed', at: plus(executeAt, 1), results: [{ databaseId: 'db-1', outcome: 'key-destroyed' }, { databaseId: 'db-2', outcome: 'key-destroyed' }] },
    ]);
    // The certificate names the event that records the probe; its details show the http probe's answer.
    expect(cert.body.certificate.events).toContainEqual(expect.objectContaining({ type: 'ShredProbeRecorded', eventId: probe.id }));
  }, 60_000);

  it('the service down, then hanging: inconclusive, not verified, retried; back up: verified, the certificate listing every attempt', async () => {
    const { executeAt } = await requestDeletion('downco');
    await service.setMode('down');
    await setClock(plus(executeAt, 1));
    await waitUntil(async () => (await probesOf('downco')).length === 1, 15_000, 'the first probe of downco');
    const [first] = await probesOf('downco');
    expect(first.data.outcome).toBe('inconclusive');
    expect(first.data.results.map((r: any) => [r.databaseId, r.outcome, httpProbeReason(r.detail)])).toEqual([
      ['db-1', 'inconclusive', 'connection-error'],
      ['db-2', 'inconclusive', 'connection-error'],
    ]);
    expect(first.data.results[0].detail).toContain('ECONNREFUSED');
    let shown = await e.api('GET', '/v1/tenants/downco', e.tokens['ops-reader']);
    expect(shown.body.status).not.toBe('verified');
    expect((await eventsOf('downco')).map((ev) => ev.type)).not.toContain('ShredVerified');

    // The retry (1 min later) finds the service hanging: inconclusive again (timeout), still not verified.
    await service.setMode('timeout');
    await setClock(plus(executeAt, 61_000));
    await waitUntil(async () => (await probesOf('downco')).length === 2, 15_000, 'the second probe of downco');
    const second = (await probesOf('downco'))[1];
    expect(second.data.results.map((r: any) => httpProbeReason(r.detail))).toEqual(['timeout', 'timeout']);
    expect((await eventsOf('downco')).map((ev) => ev.type)).not.toContain('ShredVerified');

    // Back up: the next retry (2 min later) verifies.
    await service.setMode('normal');
    await setClock(plus(executeAt, 61_000 + 121_000));
    await waitVerified('downco');
    let cert: any;
    await waitUntil(async () => (cert = await e.api('GET', '/v1/tenants/downco/deletion-certificate', e.tokens['ops-reader'])).status === 200, 10_000, 'the certificate');
    expect(cert.body.certificate.probes.map((p: any) => [p.attempt, p.outcome])).toEqual([
      [1, 'inconclusive'],
      [2, 'inconclusive'],
      [3, 'key-destroyed'],
    ]);
    shown = await e.api('GET', '/v1/tenants/downco', e.tokens['ops-reader']);
    expect(shown.body.shred.breaches).toEqual([]);
  }, 60_000);

  it('logs the probe it uses and never the token; no event carries the token or the sentinel', async () => {
    expect(e.logLines.some((l) => l.includes('"msg":"read probe"') && l.includes('"probe":"http"'))).toBe(true);
    expect(e.logLines.some((l) => l.includes('LETHE_PROBE_ALLOW_HTTP') && l.includes('TEST-ONLY'))).toBe(true);
    expect(e.logLines.some((l) => l.includes('shred probe inconclusive; will retry'))).toBe(true);
    for (const line of e.logLines) expect(line).not.toContain(service.token);
    const all = await e.pool.query<{ data: string }>('select data::text as data from lethe_events');
    for (const { data } of all.rows) {
      expect(data).not.toContain(service.token);
      expect(data).not.toContain('lethe-sentinel');
    }
  });
});

describe('bad http probe settings', () => {
  it('refuse the boot naming the setting, before the database is touched', async () => {
    const base = {
      DATABASE_URL: 'postgres://nobody@127.0.0.1:1/never-reached',
      LETHE_DATA_DIR: mkdtempSync(join(tmpdir(), 'lethe-refused-')),
      LETHE_MASTER_KEY: e.masterKey,
      LETHE_PROBE: 'http',
      LETHE_PROBE_URL_TEMPLATE: service.urlTemplate,
      LETHE_PROBE_ALLOW_HTTP: 'true',
      LETHE_PROBE_EXPECT_STATUS: '410',
      LETHE_PROBE_EXPECT_PROBLEM_TYPE: KEY_DESTROYED_TYPE,
    };
    const refusal = (env: Record<string, string>) =>
      startEngine(loadConfig({ ...base, ...env }), { logger: createLogger('silent') }).then(
        async (engine) => {
          await engine.close();
          return 'started';
        },
        (error: Error) => `${error.name}: ${error.message}`,
      );
    const open = join(dir, 'open-headers');
    writeFileSync(open, `Authorization: Bearer ${service.token}\n`, { mode: 0o644 });
    chmodSync(open, 0o644);
    const refused = await refusal({ LETHE_PROBE_HEADERS_FILE: open });
    expect(refused).toBe('ConfigError: invalid configuration:\n  - LETHE_PROBE_HEADERS_FILE: must be readable by its owner only (mode 644; chmod 600)');
    expect(refused).not.toContain(service.token);
    expect(await refusal({ LETHE_PROBE_HEADERS_FILE: join(dir, 'missing') })).toContain('LETHE_PROBE_HEADERS_FILE: cannot be read (ENOENT)');
    writeFileSync(join(dir, 'bad-ca.pem'), 'not a certificate');
    expect(await refusal({ LETHE_PROBE_CA_FILE: join(dir, 'bad-ca.pem') })).toContain('LETHE_PROBE_CA_FILE: must be a PEM file of one or more certificates');
    writeFileSync(join(dir, 'urls.json'), '{"acme": "https://acme.example/sentinel"}');
    expect(await refusal({ LETHE_PROBE_TENANT_URLS_FILE: join(dir, 'urls.json') })).toContain(
      'LETHE_PROBE_TENANT_URLS_FILE: the entry of tenant "acme" must contain {databaseId}',
    );
  }, 30_000);
});
