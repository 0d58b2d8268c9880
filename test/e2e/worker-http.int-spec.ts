// An engine without the api role (LETHE_ROLES=processors,poller, the "worker" of deploy/) still
// listens: it answers /healthz, /readyz with its processors and poller checks, and /metrics for an
// ops-reader token, where its own vault calls (made by the timers it fires) are measured; the /v1 API,
// the admin clock, the console and /docs answer 404 there.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from '@lethe/testing';
import { loadConfig } from '../../apps/engine/src/config/engine-config.js';
import { startEngine, type RunningEngine } from '../../apps/engine/src/engine.js';
import { createLogger } from '../../apps/engine/src/logging/logger.js';
import { METRIC_CATALOGUE, METRICS } from '../../apps/engine/src/metrics/metric-catalogue.js';
import { waitUntil } from '../support/engine-process.js';
import { apiClient } from '../support/http-client.js';
import { startInProcessEngine, type InProcessEngine } from '../support/in-process-engine.js';

const WORKER_ROLES = 'processors,poller';
const VAULT_CALLS = `${METRICS.vaultDuration.name}_count`;

/** The value of `name{labels}` in a Prometheus text scrape (the labels in the order prom-client writes them). */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('a worker-only engine (manual clock)', () => {
  let w: InProcessEngine;

  beforeAll(async () => {
    // A misspelt setting rides along: boot must say so (see 'warns about…' below).
    w = await startInProcessEngine('2027-01-04T09:00:00Z', { LETHE_ROLES: WORKER_ROLES, LETHE_INSTANCE_ID: 'worker-http', LETHE_BACKUP_RETENTON_MAX_DAYS: 'value-7f3a9c' });
  }, 60_000);

  afterAll(async () => {
    await w?.stop();
  });

  it('says where it listens when it starts', () => {
    const started = w.logLines.map((l) => JSON.parse(l)).find((l) => l.msg === 'Lethe engine started');
    expect(started).toMatchObject({ url: w.engine.url, roles: ['processors', 'poller'] });
    expect(w.engine.app.getHttpServer().listening).toBe(true);
  });

  it('warns at boot about an unknown LETHE_* setting, by name with the closest known one, never its value', () => {
    const warnings = w.logLines.map((l) => JSON.parse(l)).filter((l) => l.setting === 'LETHE_BACKUP_RETENTON_MAX_DAYS');
    expect(warnings).toEqual([
      expect.objectContaining({
        level: 40,
        suggestion: 'LETHE_BACKUP_RETENTION_MAX_DAYS',
        msg: 'unknown setting LETHE_BACKUP_RETENTON_MAX_DAYS is ignored; did you mean LETHE_BACKUP_RETENTION_MAX_DAYS?',
      }),
    ]);
    expect(w.logLines.join('\n')).not.toContain('value-7f3a9c');
  });

  it('answers /healthz, and /readyz with its processors and poller checks', async () => {
    expect(await w.api('GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    // Alone on its database, it takes every processor's lease (a moment after boot: the lease is
    // taken before the processor reports running, and readiness counts it owned meanwhile).
    const states = (body: { details: { processors: Record<string, { state?: string }> } }) =>
      Object.entries(body.details.processors).filter(([name]) => name.includes(':')).map(([name, p]) => [name, p.state]);
    let ready = await w.api('GET', '/readyz');
    await waitUntil(
      async () => (ready = await w.api('GET', '/readyz')).status === 200 && states(ready.body).every(([, state]) => state === 'running-here'),
      30_000,
      '/readyz to answer 200 with every processor running here',
    );
    const { processors, poller } = ready.body.details;
    expect(processors.status).toBe('up');
    expect(states(ready.body).length).toBeGreaterThanOrEqual(7);
    expect(poller).toMatchObject({ status: 'up', draining: expect.any(Boolean), boundMs: expect.any(Number) });
  });

  it('serves /metrics to an ops-reader token only, with every metric of the catalogue', async () => {
    expect((await w.api('GET', '/metrics')).status).toBe(401);
    expect((await w.api('GET', '/metrics', w.tokens['contract-system'])).status).toBe(403);
    const res = await w.api('GET', '/metrics', w.tokens['ops-reader']);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const missing = METRIC_CATALOGUE.filter((spec) => !res.text.includes(`# TYPE ${spec.name} ${spec.type}\n`)).map((s) => s.name);
    expect(missing).toEqual([]);
  });

  it.each([
    ['GET', '/v1/tenants', 'ops-reader'],
    ['POST', '/v1/tenants', 'operator'],
    ['GET', '/v1/admin/clock', 'admin'],
    ['POST', '/v1/admin/clock', 'admin'],
    ['GET', '/console/', undefined],
    ['GET', '/docs', undefined],
    ['GET', '/docs/openapi.json', undefined],
  ] as const)('answers 404 to %s %s (no api role)', async (method, path, role) => {
    const res = await w.api(method, path, role && w.tokens[role], method === 'POST' ? {} : undefined);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('a worker beside an api instance on one database (system clock)', () => {
  const tokens = { operator: `op-${randomBytes(12).toString('hex')}`, reader: `rd-${randomBytes(12).toString('hex')}` };
  const masterKey = randomBytes(32).toString('base64');
  const engines: RunningEngine[] = [];
  let db: TestDatabase;

  async function engineWith(roles: string): Promise<RunningEngine> {
    const config = loadConfig({
      DATABASE_URL: db.url,
      PORT: '0',
      LETHE_ROLES: roles,
      LETHE_INSTANCE_ID: roles.replace(',', '-'),
      LETHE_DATA_DIR: mkdtempSync(join(tmpdir(), 'lethe-worker-http-')),
      LETHE_DEADLINE_POLL_MS: '100',
      // Each key ring's vault listing falls due within a second of its opening.
      LETHE_KEY_DETECTION_MS: '1000',
      LETHE_MASTER_KEY: masterKey,
      LETHE_TOKENS: `operator:${tokens.operator},ops-reader:${tokens.reader}`,
    });
    const engine = await startEngine(config, { logger: createLogger('warn', new Writable({ write: (_c, _e, done) => done() })) });
    engines.push(engine);
    return engine;
  }

  const scrape = async (engine: RunningEngine) => (await apiClient(engine.url)('GET', '/metrics', tokens.reader)).text;

  beforeAll(async () => {
    db = await createTestDatabase();
  }, 60_000);

  afterAll(async () => {
    for (const e of engines) await e.close();
    await db?.drop();
  });

  it("measures the vault calls of the timers it fires in its own /metrics, not the api instance's", async () => {
    const api = await engineWith('api');
    const worker = await engineWith(WORKER_ROLES);
    const listed = 'operation="listVersions"';
    expect(sample(await scrape(worker), VAULT_CALLS, listed)).toBe(0);
    const onboarded = await apiClient(api.url)('POST', '/v1/tenants', tokens.operator, {
      tenantId: 'worker-metrics',
      jurisdiction: 'GB-ENG',
      keyCustody: 'managed',
      backupKeyMode: 'platform',
      databases: [{ databaseId: 'db-1' }],
    });
    expect(onboarded.status).toBe(201);
    // The key ring's detection timer lists the vault; only the worker polls timers.
    await waitUntil(async () => (sample(await scrape(worker), VAULT_CALLS, listed) ?? 0) > 0, 20_000, "the worker's vault listing in its /metrics");
    const apiScrape = await scrape(api);
    expect(sample(apiScrape, VAULT_CALLS, listed)).toBe(0);
    // Onboarding created the key on the api instance: measured there.
    expect(sample(apiScrape, VAULT_CALLS, 'operation="createKey"')).toBeGreaterThan(0);
  }, 60_000);
});
