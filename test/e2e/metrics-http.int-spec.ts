// GET /metrics on the real engine over real HTTP: an ops-reader token scrapes it (401 without a
// token, 403 for a role that does not include ops-reader); every metric of the catalogue is there
// with its type and labels; the numbers move through a shred (scheduled, executed, verified, a late
// notice's breach) and through the vault, data plane and HTTP calls it makes; and no tenant id, key
// version id or raw path appears anywhere in a scrape.
import { METRIC_CATALOGUE, METRICS, seriesNames } from '../../apps/engine/src/metrics/metric-catalogue.js';
import { SCHEDULE_KINDS } from '@lethe/lifecycle';
import { waitUntil } from '../support/engine-process.js';
import { startInProcessEngine, type InProcessEngine } from '../support/in-process-engine.js';

/** Distinctive ids: a scrape must never show them. */
const TENANT = 'metrics-acme-7f3q';
const LATE_TENANT = 'metrics-late-9k2w';

let e: InProcessEngine;
const scrapes: string[] = [];

beforeAll(async () => {
  e = await startInProcessEngine('2026-12-21T09:00:00Z');
}, 60_000);

afterAll(async () => {
  await e?.stop();
});

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

interface Scrape {
  readonly text: string;
  readonly types: ReadonlyMap<string, string>;
  readonly samples: readonly Sample[];
  /** The value of the one sample of `name` with exactly these labels (undefined when absent). */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

/** Parses the Prometheus text format as Prometheus would (the subset prom-client writes). */
function parse(text: string): Scrape {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      types.set(type[1], type[2]);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const labels = Object.fromEntries([...(sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    samples.push({ name: sample[1], labels, value: Number(sample[3]) });
  }
  const same = (a: Readonly<Record<string, string>>, b: Record<string, string>) => Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);
  return { text, types, samples, value: (name, labels = {}) => samples.find((s) => s.name === name && same(s.labels, labels))?.value };
}

async function scrape(token = e.tokens['ops-reader']): Promise<Scrape> {
  const res = await e.api('GET', '/metrics', token);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  scrapes.push(res.text);
  return parse(res.text);
}

/** Scrapes until `check` holds (the read models follow the log a moment behind the writes). */
async function scrapeUntil(what: string, check: (s: Scrape) => boolean): Promise<Scrape> {
  let last: Scrape | undefined;
  try {
    await waitUntil(async () => check((last = await scrape())), 15_000, what);
  } catch (error) {
    const lines = last?.text.split('\n').filter((l) => /^lethe_/.test(l) && !/^lethe_(process|nodejs|http|vault|dataplane)_/.test(l));
    throw new Error(`${(error as Error).message}; the last scrape's fleet metrics:\n${lines?.join('\n')}`, { cause: error });
  }
  return last!;
}

const setClock = (now: string) => e.api('POST', '/v1/admin/clock', e.tokens.admin, { now });
const tenantStatus = async (tenantId: string) => (await e.api('GET', `/v1/tenants/${tenantId}`, e.tokens['ops-reader'])).body?.status;

describe('access', () => {
  it('answers 401 without a valid token and 403 for a role without ops-reader, as problem+json', async () => {
    const none = await e.api('GET', '/metrics');
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await e.api('GET', '/metrics', 'not-a-real-token-at-all')).status).toBe(401);
    expect((await e.api('GET', '/metrics', e.tokens['contract-system'])).status).toBe(403);
    for (const role of ['ops-reader', 'operator', 'admin'] as const) expect((await e.api('GET', '/metrics', e.tokens[role])).status).toBe(200);
  });

  it('is described in the OpenAPI document as text/plain for ops-reader', async () => {
    const op = (await e.api('GET', '/docs/openapi.json')).body.paths['/metrics'].get;
    expect(op.security).toEqual([{ bearer: [] }]);
    expect(op.responses['200'].content['text/plain'].example).toContain('# TYPE lethe_shreds gauge');
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
  });
});

describe('the catalogue', () => {
  it('exposes every metric of the catalogue with its type and only its labels', async () => {
    // A tenant, so every fleet metric has series (a termination gives the shred deadline one).
    expect((await e.api('POST', '/v1/tenants', e.tokens.operator, { tenantId: TENANT, jurisdiction: 'GB-ENG', keyCustody: 'managed', backupKeyMode: 'platform', databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }] })).status).toBe(201);
    // The compliance figures are kept up to 30 s, unless the engine's clock moves on.
    await scrapeUntil('the tenant in the read models', (x) => x.value(METRICS.tenants.name, { status: 'active' }) === 1);
    expect((await setClock('2026-12-21T09:01:00Z')).status).toBe(200);
    const s = await scrape();
    expect(s.value(METRICS.complianceKeyRings.name)).toBe(1);
    const wrong: string[] = [];
    for (const spec of METRIC_CATALOGUE) {
      if (s.types.get(spec.name) !== spec.type) wrong.push(`${spec.name}: TYPE ${s.types.get(spec.name)}, catalogue says ${spec.type}`);
      const series = s.samples.filter((x) => seriesNames(spec).includes(x.name));
      if (series.length === 0 && spec.name !== METRICS.shredNextDeadline.name) wrong.push(`${spec.name}: no sample`);
      for (const x of series) {
        const allowed = new Set([...spec.labels, ...(x.name.endsWith('_bucket') ? ['le'] : [])]);
        const names = Object.keys(x.labels);
        if (names.some((l) => !allowed.has(l)) || spec.labels.some((l) => !names.includes(l))) wrong.push(`${x.name}: labels ${names.join(',')}, catalogue says ${spec.labels.join(',')}`);
        for (const [label, values] of Object.entries(spec.values ?? {})) if (!values.includes(x.labels[label])) wrong.push(`${x.name}: ${label}="${x.labels[label]}" is not one of the catalogue's values`);
      }
    }
    expect(wrong).toEqual([]);
    // Every lethe_ series belongs to the catalogue or to prom-client's process defaults.
    const known = new Set(METRIC_CATALOGUE.flatMap(seriesNames));
    const strangers = [...new Set(s.samples.map((x) => x.name))].filter((n) => !known.has(n) && !/^lethe_(process|nodejs)_/.test(n));
    expect(strangers).toEqual([]);
    expect([...s.types.keys()].every((n) => n.startsWith('lethe_'))).toBe(true);
    // Fleet sources were all read.
    for (const source of ['fleet', 'compliance', 'processors', 'deadlines']) expect(s.value(METRICS.sourceUp.name, { source })).toBe(1);
    // Each processor and each timer kind has its series, at 0 where nothing is wrong.
    for (const processor of ['projection:tenants', 'projection:key-rings', 'saga:shred']) {
      expect(s.value(METRICS.deadLetters.name, { processor })).toBe(0);
      expect(s.value(METRICS.processorOwned.name, { processor })).toBe(1);
      expect(s.value(METRICS.processorLagSeconds.name, { processor })).toBeGreaterThanOrEqual(0);
    }
    // Named as GET /v1/schedule names them (one outward vocabulary), never by their stored kinds.
    for (const kind of SCHEDULE_KINDS) expect(s.value(METRICS.deadlinesFailed.name, { kind })).toBe(0);
    const kindsSeen = new Set(s.samples.filter((x) => x.name === METRICS.deadlinesFailed.name).map((x) => x.labels.kind));
    expect([...kindsSeen].sort()).toEqual([...SCHEDULE_KINDS].sort());
    expect(s.value(METRICS.complianceViolations.name, { promise: 'P1' })).toBe(0);
  });
});

describe('the numbers move through a shred', () => {
  it('counts the shred scheduled, its deadline coming, then verified; the vault, probe and HTTP calls it made', async () => {
    const keys = (await e.api('GET', `/v1/tenants/${TENANT}/keys`, e.tokens['ops-reader'])).body;
    const versionIds: string[] = keys.versions.map((v: { keyVersionId: string }) => v.keyVersionId);
    expect(versionIds.length).toBeGreaterThan(0);
    const before = await scrape();
    const verifiedBefore = before.value(METRICS.shreds.name, { status: 'verified' });
    expect(verifiedBefore).toBe(0);
    expect(before.value(METRICS.shredNextDeadline.name)).toBeUndefined();

    // Effective Wed 23 Dec 2026, London: executeAt Tue 29 Dec (end of day), deadline Mon 4 Jan 2027 (end of day).
    const terminated = await e.api('POST', `/v1/tenants/${TENANT}/terminations`, e.tokens['contract-system'], { terminationId: 't-1', contractId: 'c-1', effectiveAt: '2026-12-23T17:00:00Z' });
    expect(terminated.status).toBe(202);
    expect(terminated.body.deadline).toBe('2027-01-04T23:59:59.999Z');
    // Each family is its own query: wait until the tenants' and the shreds' counts both show it.
    const scheduled = await scrapeUntil(
      'the shred scheduled',
      (s) => s.value(METRICS.shreds.name, { status: 'shred-scheduled' }) === 1 && s.value(METRICS.tenants.name, { status: 'shred-scheduled' }) === 1,
    );
    expect(scheduled.value(METRICS.tenants.name, { status: 'shred-scheduled' })).toBe(1);
    expect(scheduled.value(METRICS.tenants.name, { status: 'active' })).toBe(0);
    // From now on the engine's manual clock to the deadline.
    expect(scheduled.value(METRICS.shredNextDeadline.name)).toBeCloseTo((Date.parse('2027-01-04T23:59:59.999Z') - Date.parse('2026-12-21T09:01:00Z')) / 1000, 0);

    await setClock('2026-12-29T12:00:00Z');
    const closer = await scrape();
    expect(closer.value(METRICS.shredNextDeadline.name)).toBeCloseTo((Date.parse('2027-01-04T23:59:59.999Z') - Date.parse('2026-12-29T12:00:00Z')) / 1000, 0);
    const destroyKeyCalls = () => closer.value(`${METRICS.vaultDuration.name}_count`, { operation: 'destroyKey' }) ?? 0;
    expect(destroyKeyCalls()).toBe(0);

    expect((await setClock('2026-12-30T12:00:00Z')).status).toBe(200);
    await waitUntil(async () => (await tenantStatus(TENANT)) === 'verified', 15_000, `${TENANT} verified`);
    // The read models behind these families are kept by different processors: wait for all of them.
    const after = await scrapeUntil(
      'the shred verified',
      (s) =>
        s.value(METRICS.shreds.name, { status: 'verified' }) === 1 &&
        s.value(METRICS.events.name, { type: 'ShredVerified' }) === 1 &&
        s.value(METRICS.tenants.name, { status: 'verified' }) === 1 &&
        s.value(METRICS.keyVersions.name, { status: 'destroyed' }) === versionIds.length &&
        s.value(METRICS.complianceKeyRings.name) === 0,
    );
    expect(after.value(METRICS.shreds.name, { status: 'shred-scheduled' })).toBe(0);
    expect(after.value(METRICS.tenants.name, { status: 'verified' })).toBe(1);
    expect(after.value(METRICS.shredNextDeadline.name)).toBeUndefined();
    expect(after.value(METRICS.keyVersions.name, { status: 'destroyed' })).toBe(versionIds.length);
    expect(after.value(METRICS.complianceKeyRings.name)).toBe(0);
    expect(after.value(METRICS.events.name, { type: 'KeyDestroyed' })).toBe(1);
    // This instance fired the shred: it destroyed the key, purged, and probed both databases.
    expect(after.value(`${METRICS.vaultDuration.name}_count`, { operation: 'destroyKey' })).toBe(1);
    expect(after.value(`${METRICS.dataPlaneDuration.name}_count`, { operation: 'purgeAssets' })).toBe(1);
    expect(after.value(METRICS.probeOutcomes.name, { outcome: 'key-destroyed' })).toBe(2);
    expect(after.value(`${METRICS.dataPlaneDuration.name}_count`, { operation: 'probe' })).toBe(2);
    expect(after.value(METRICS.probeOutcomes.name, { outcome: 'readable' })).toBe(0);
    // The probe's expected failure (the key version is destroyed) is the vault's answer, not a vault
    // error: counted as `destroyed`, never as `error` or `unavailable`.
    expect(after.value(METRICS.vaultErrors.name, { operation: 'unwrap', reason: 'destroyed' })).toBeGreaterThanOrEqual(2);
    for (const reason of ['error', 'unavailable']) {
      for (const operation of ['unwrap', 'destroyKey', 'destroy']) expect(after.value(METRICS.vaultErrors.name, { operation, reason })).toBe(0);
    }
    // HTTP by route template and status, the refused scrapes above included.
    expect(after.value(`${METRICS.httpDuration.name}_count`, { method: 'POST', route: '/v1/tenants/:tenantId/terminations', status: '202' })).toBe(1);
    expect(after.value(`${METRICS.httpDuration.name}_count`, { method: 'GET', route: '/metrics', status: '401' })).toBe(2);
    expect(after.value(`${METRICS.httpDuration.name}_count`, { method: 'GET', route: '/metrics', status: '403' })).toBe(1);
    expect((await e.api('GET', '/no/such/route', e.tokens.admin)).status).toBe(404);
    expect((await e.api('GET', '/console/', e.tokens.admin)).status).toBe(200);
    // Bodies refused before routing (bad JSON, too large, not JSON) still reached a route: labelled by it.
    const post = (body: string, contentType: string) =>
      fetch(`${e.engine.url}/v1/tenants`, { method: 'POST', headers: { authorization: `Bearer ${e.tokens.operator}`, 'content-type': contentType }, body });
    expect((await post('{"tenantId":', 'application/json')).status).toBe(400);
    expect((await post(JSON.stringify({ pad: 'x'.repeat(200 * 1024) }), 'application/json')).status).toBe(413);
    expect((await post('tenantId=x', 'text/plain')).status).toBe(415);
    const routes = await scrape();
    expect(routes.value(`${METRICS.httpDuration.name}_count`, { method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    for (const status of ['400', '413', '415']) {
      expect(routes.value(`${METRICS.httpDuration.name}_count`, { method: 'POST', route: '/v1/tenants', status })).toBe(1);
      expect(routes.value(`${METRICS.httpDuration.name}_count`, { method: 'POST', route: 'unmatched', status })).toBeUndefined();
    }
    expect(routes.value(`${METRICS.httpDuration.name}_count`, { method: 'GET', route: 'static', status: '200' })).toBe(1);
    // Nothing is due or late once the clock's work is done.
    expect(after.samples.filter((s) => s.name === METRICS.deadlinesLate.name).every((s) => s.value === 0)).toBe(true);
    for (const text of scrapes) for (const id of versionIds) expect(text).not.toContain(id);
  }, 60_000);

  it('counts a late notice\'s breach', async () => {
    expect((await e.api('POST', '/v1/tenants', e.tokens.operator, { tenantId: LATE_TENANT, jurisdiction: 'GB-ENG', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }] })).status).toBe(201);
    const before = (await scrape()).value(METRICS.events.name, { type: 'ShredDeadlineBreached' });
    expect(before).toBe(0);
    // Effective 1 Dec 2026: its 5 working days ended long before now (30 Dec).
    const late = await e.api('POST', `/v1/tenants/${LATE_TENANT}/terminations`, e.tokens['contract-system'], { terminationId: 't-late', contractId: 'c-l', effectiveAt: '2026-12-01T09:00:00Z' });
    expect(late.body).toMatchObject({ lateNotification: true });
    // The breach is recorded with the schedule. The shred is due at once, so the poller may run and
    // verify it before any scrape sees it `breached`: the event count is what must move.
    await scrapeUntil('the breach', (s) => s.value(METRICS.events.name, { type: 'ShredDeadlineBreached' }) === 1);
    // Executed at once (at the latest once the clock moves a second): verified, breach and all.
    await setClock('2026-12-30T12:00:01Z');
    await scrapeUntil('the late shred verified', (s) => s.value(METRICS.shreds.name, { status: 'verified' }) === 2 && s.value(METRICS.shreds.name, { status: 'breached' }) === 0);
  }, 60_000);
});

describe('secrets and cardinality', () => {
  it('never shows a tenant id, a raw path or a token in any scrape', async () => {
    expect(scrapes.length).toBeGreaterThan(5);
    for (const text of scrapes) {
      for (const secret of [TENANT, LATE_TENANT, ...Object.values(e.tokens)]) expect(text).not.toContain(secret);
      // Route labels are templates: the only `/v1/tenants/` routes carry `:tenantId`.
      for (const route of text.matchAll(/route="([^"]*)"/g)) expect(['unmatched', 'static'].includes(route[1]) || route[1].startsWith('/')).toBe(true);
      expect(text).not.toMatch(/route="\/v1\/tenants\/(?!:tenantId)/);
    }
  });
});
