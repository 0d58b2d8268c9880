// The http read probe against the sample tenant data service over real HTTP (and HTTPS), on a free
// port, reading through the real local data plane and vault on real PostgreSQL: readable while the key
// lives, key-destroyed after, and every way the service or the settings can fail is inconclusive.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import {
  HttpProbeSettingError,
  httpProbeReason,
  LocalDataPlane,
  dataplaneMigrations,
  openHttpReadProbe,
  platformKeyFrom,
  type HttpReadProbe,
  type HttpReadProbeSettings,
  type ProbeResult,
} from '@lethe/dataplane';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { LocalKeyVault, MasterKey, vaultMigrations } from '@lethe/vault';
import { KEY_DESTROYED_TYPE, startSampleDataService, type SampleDataService } from '../support/sample-data-service.js';

const OPENSSL = '/usr/bin/openssl';
const HAVE_OPENSSL = existsSync(OPENSSL);
if (!HAVE_OPENSSL) console.warn(`test/e2e/http-read-probe.int-spec.ts: ${OPENSSL} not found, the HTTPS probe tests are SKIPPED: install openssl`);
const describeWithOpenssl = HAVE_OPENSSL ? describe : describe.skip;

// Room for a cold first probe on a loaded CI machine (at 400 ms, such a probe timed out in a CI run of
// shred-http-probe.int-spec.ts).
const TIMEOUT_MS = 2_000;
let db: TestDatabase;
let pool: pg.Pool;
let vault: LocalKeyVault;
let plane: LocalDataPlane;
let service: SampleDataService;
let dir: string;
let headersFile: string;
const probes: HttpReadProbe[] = [];
const results: ProbeResult[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...vaultMigrations, ...dataplaneMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
  const masterKey = MasterKey.generate();
  const clock = new ManualClock(new Date('2027-01-04T09:00:00Z'));
  vault = new LocalKeyVault(pool, masterKey, clock);
  plane = new LocalDataPlane(pool, vault, platformKeyFrom(masterKey), clock);
  service = await startSampleDataService();
  service.attach(plane);
  dir = mkdtempSync(join(tmpdir(), 'lethe-http-probe-'));
  headersFile = join(dir, 'headers');
  writeHeaders(`Authorization: Bearer ${service.token}\n`);
}, 60_000);

afterAll(async () => {
  await Promise.all(probes.map((p) => p.close()));
  await service?.close();
  await pool?.end();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

function writeHeaders(content: string, mode = 0o600): void {
  writeFileSync(headersFile, content, { mode });
  chmodSync(headersFile, mode);
}

const signature = { statuses: [410, 423], problemType: KEY_DESTROYED_TYPE };

async function openProbe(settings: Partial<HttpReadProbeSettings> = {}): Promise<HttpReadProbe> {
  const probe = await openHttpReadProbe({ urlTemplate: service.urlTemplate, headersFile, timeoutMs: TIMEOUT_MS, signature, allowHttp: true, ...settings });
  probes.push(probe);
  return probe;
}

async function probeOf(probe: HttpReadProbe, tenantId: string, databaseId = 'db-1'): Promise<ProbeResult> {
  const result = await probe.probe(tenantId, databaseId);
  results.push(result);
  return result;
}
const reasonOf = (r: ProbeResult) => (r.outcome === 'inconclusive' ? httpProbeReason(r.detail) : r.outcome);

let seq = 0;
async function protectedTenant(prefix = 'tenant') {
  const tenantId = `${prefix}-${++seq}`;
  const key = await vault.createKey(tenantId);
  await plane.protectDatabase(tenantId, 'db-1', key.versionId);
  return { tenantId, key };
}

describe('the http read probe against the sample data service', () => {
  it('reads the sentinel while the key lives (readable), and fails the expected way once it is destroyed (key-destroyed)', async () => {
    const probe = await openProbe();
    const { tenantId, key } = await protectedTenant();
    const before = service.requests.length;
    const readable = await probeOf(probe, tenantId);
    expect(readable).toEqual({ outcome: 'readable', detail: `http probe of database db-1 of tenant ${tenantId} at ${service.origin}: 200 with data: the data can still be read` });
    expect(service.requests.slice(before)).toEqual([{ path: `/v1/tenants/${tenantId}/databases/db-1/sentinel`, authorized: true, status: 200 }]);

    await vault.destroy(key.versionId);
    const destroyed = await probeOf(probe, tenantId);
    expect(destroyed.outcome).toBe('key-destroyed');
    expect(destroyed.detail).toBe(
      `http probe of database db-1 of tenant ${tenantId} at ${service.origin}: 410 with problem type ${KEY_DESTROYED_TYPE}, the expected failure: the key is destroyed, the data unreadable`,
    );
  });

  it('URL-encodes ids: a tenant id with a slash, a space and a question mark reaches its own data', async () => {
    const probe = await openProbe();
    const tenantId = 'odd/te nant?x=1';
    const key = await vault.createKey(tenantId);
    await plane.protectDatabase(tenantId, 'db#1', key.versionId);
    expect((await probeOf(probe, tenantId, 'db#1')).outcome).toBe('readable');
    expect(service.requests.at(-1)!.path).toBe('/v1/tenants/odd%2Fte%20nant%3Fx%3D1/databases/db%231/sentinel');
  });

  it('a disabled (not destroyed) key: the service answers 423 with another problem type, which proves nothing (signature-mismatch)', async () => {
    const probe = await openProbe();
    const { tenantId, key } = await protectedTenant();
    await vault.disable(key.versionId);
    const r = await probeOf(probe, tenantId);
    expect(reasonOf(r)).toBe('signature-mismatch');
    expect(service.requests.at(-1)!.status).toBe(423);
  });

  it('a database the service does not know: 404 is not the expected failure (client-error)', async () => {
    const probe = await openProbe();
    expect(reasonOf(await probeOf(probe, 'nobody'))).toBe('client-error');
    expect(service.requests.at(-1)!.status).toBe(404);
  });

  it('the service down, hanging, stalling mid-body, failing or redirecting: inconclusive with the reason, then back: the verdict again', async () => {
    const probe = await openProbe();
    const { tenantId, key } = await protectedTenant();
    await vault.destroy(key.versionId);
    const cases = [
      ['down', 'connection-error'],
      ['timeout', 'timeout'],
      ['stall-body', 'timeout'],
      ['server-error', 'server-error'],
      ['redirect', 'redirect'],
    ] as const;
    for (const [mode, reason] of cases) {
      await service.setMode(mode);
      const started = Date.now();
      const r = await probeOf(probe, tenantId);
      expect({ mode, reason: reasonOf(r) }).toEqual({ mode, reason });
      // Bounded by the time limit (with room for a loaded machine), never left hanging.
      expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 3_000);
    }
    expect(results.at(-4)!.detail).toContain(`no complete answer within ${TIMEOUT_MS} ms`);
    await service.setMode('normal');
    expect((await probeOf(probe, tenantId)).outcome).toBe('key-destroyed');
  });

  it('credentials: a wrong token is a 401 (client-error); the headers file is read again when it changes; a file others can read stops the probe (settings-unreadable)', async () => {
    const probe = await openProbe();
    const { tenantId } = await protectedTenant();
    expect((await probeOf(probe, tenantId)).outcome).toBe('readable');
    writeHeaders('Authorization: Bearer not-the-token\n# rotated\n');
    const refused = await probeOf(probe, tenantId);
    expect(reasonOf(refused)).toBe('client-error');
    expect(refused.detail).toContain('401');
    expect(service.requests.at(-1)).toMatchObject({ authorized: false, status: 401 });
    writeHeaders(JSON.stringify({ Authorization: `Bearer ${service.token}` }));
    expect((await probeOf(probe, tenantId)).outcome).toBe('readable');
    chmodSync(headersFile, 0o644);
    const unreadable = await probeOf(probe, tenantId);
    expect(reasonOf(unreadable)).toBe('settings-unreadable');
    expect(unreadable.detail).toContain('must be readable by its owner only');
    chmodSync(headersFile, 0o600);
    expect((await probeOf(probe, tenantId)).outcome).toBe('readable');
  });

  it("a tenant's own URL template (the tenant URLs file) wins over the global one; without either, no-url", async () => {
    const { tenantId } = await protectedTenant('own');
    const { tenantId: other } = await protectedTenant('other');
    const tenantUrlsFile = join(dir, 'tenant-urls.json');
    // The tenant's own URL names it as the service knows it: here, as `other`.
    writeFileSync(tenantUrlsFile, JSON.stringify({ [tenantId]: `${service.origin}/v1/tenants/${other}/databases/{databaseId}/sentinel` }));
    const onlyFile = await openProbe({ urlTemplate: undefined, tenantUrlsFile });
    expect((await probeOf(onlyFile, tenantId)).outcome).toBe('readable');
    expect(service.requests.at(-1)!.path).toBe(`/v1/tenants/${other}/databases/db-1/sentinel`);
    const none = await probeOf(onlyFile, other);
    expect(reasonOf(none)).toBe('no-url');
    // A tenant added to the file later is probed without a restart.
    writeFileSync(tenantUrlsFile, JSON.stringify({ [other]: `${service.origin}/v1/tenants/{tenantId}/databases/{databaseId}/sentinel` }));
    expect((await probeOf(onlyFile, other)).outcome).toBe('readable');
    // Both: the file for its tenants, the global template for the others.
    const both = await openProbe({ tenantUrlsFile });
    expect((await probeOf(both, tenantId)).outcome).toBe('readable');
    expect(service.requests.at(-1)!.path).toBe(`/v1/tenants/${tenantId}/databases/db-1/sentinel`);
    // A file broken later: inconclusive until fixed.
    writeFileSync(tenantUrlsFile, '{"oops": ');
    expect(reasonOf(await probeOf(both, tenantId))).toBe('settings-unreadable');
  });

  it('refuses settings it cannot use at open, naming the setting', async () => {
    const refusal = (settings: Partial<HttpReadProbeSettings>) =>
      openProbe(settings).then(
        () => undefined,
        (error: HttpProbeSettingError) => ({ setting: error.setting, rule: error.rule }),
      );
    expect(await refusal({ urlTemplate: undefined })).toEqual({ setting: 'urlTemplate', rule: expect.stringContaining('is needed') });
    expect(await refusal({ allowHttp: false })).toEqual({ setting: 'urlTemplate', rule: expect.stringContaining('https://') });
    expect(await refusal({ headersFile: join(dir, 'missing') })).toEqual({ setting: 'headersFile', rule: 'cannot be read (ENOENT)' });
    chmodSync(headersFile, 0o640);
    expect(await refusal({})).toEqual({ setting: 'headersFile', rule: expect.stringContaining('readable by its owner only') });
    chmodSync(headersFile, 0o600);
    writeFileSync(join(dir, 'bad-urls.json'), '{"acme": "https://acme.example/no-placeholder"}');
    expect(await refusal({ tenantUrlsFile: join(dir, 'bad-urls.json') })).toEqual({ setting: 'tenantUrlsFile', rule: 'the entry of tenant "acme" must contain {databaseId}' });
    writeFileSync(join(dir, 'not-a-ca.pem'), 'hello');
    expect(await refusal({ caFile: join(dir, 'not-a-ca.pem') })).toEqual({ setting: 'caFile', rule: 'must be a PEM file of one or more certificates' });
  });

  it('never puts the token or the sentinel in a detail', () => {
    expect(results.length).toBeGreaterThan(20);
    for (const r of results) {
      expect(r.detail).not.toContain(service.token);
      expect(r.detail).not.toContain('lethe-sentinel');
      expect(r.detail).not.toContain('/sentinel');
    }
  });
});

describeWithOpenssl('the http read probe over HTTPS', () => {
  let tlsService: SampleDataService;
  let caFile: string;

  beforeAll(async () => {
    const certFile = join(dir, 'service-cert.pem');
    const keyFile = join(dir, 'service-key.pem');
    execFileSync(
      OPENSSL,
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile],
      { stdio: 'pipe' },
    );
    caFile = certFile;
    tlsService = await startSampleDataService({ tls: { key: readFileSync(keyFile), cert: readFileSync(certFile) } });
    tlsService.attach(plane);
    writeHeaders(`Authorization: Bearer ${tlsService.token}\n`);
  }, 30_000);

  afterAll(async () => {
    await tlsService?.close();
  });

  it('trusts the service with LETHE_PROBE_CA_FILE (readable, then key-destroyed); without it the TLS handshake fails (tls-error)', async () => {
    const { tenantId, key } = await protectedTenant('tls');
    const trusting = await openProbe({ urlTemplate: tlsService.urlTemplate, allowHttp: false, caFile });
    expect((await probeOf(trusting, tenantId)).outcome).toBe('readable');
    await vault.destroy(key.versionId);
    const destroyed = await probeOf(trusting, tenantId);
    expect(destroyed.outcome).toBe('key-destroyed');
    expect(destroyed.detail).toContain(`at ${tlsService.origin}: 410`);

    const untrusting = await openProbe({ urlTemplate: tlsService.urlTemplate, allowHttp: false });
    const refused = await probeOf(untrusting, tenantId);
    expect(reasonOf(refused)).toBe('tls-error');
    expect(refused.detail).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
  });
});
