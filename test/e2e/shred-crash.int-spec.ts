// Kill -9 of the engine between "keys destroyed" and "probe recorded", then a restart: the shred
// resumes where its events say and is verified exactly once (ARCHITECTURE §3 "Deletion", P5).
//
// How the crash point is pinned: the test holds an ACCESS EXCLUSIVE lock on dataplane_databases
// (the table the local read probe reads), so the step handler destroys the key, purges the assets,
// records both, and then blocks inside the probe. The engine is killed there, well inside the
// probe's own 5 s timeout (after which it would record an inconclusive probe instead).
import pg from 'pg';
import { createPublicKey, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyCertificate } from '@lethe/lifecycle';
import { createTestDatabase, type TestDatabase, reportIdleError } from '@lethe/testing';
import { ENGINE_BOOT_TIMEOUT_MS, listeningUrl, spawnEngine, waitUntil, type EngineProcess } from '../support/engine-process.js';

const TENANT = 'acme';
const STREAM = `tenant-${TENANT}`;
const SHRED_EVENTS = ['ShredScheduled', 'ShredExecutionStarted', 'KeyDestroyed', 'AssetsPurged', 'ShredProbeRecorded', 'ShredVerified'] as const;

const tokens = {
  operator: `op-${randomBytes(12).toString('hex')}`,
  contract: `cs-${randomBytes(12).toString('hex')}`,
  admin: `ad-${randomBytes(12).toString('hex')}`,
  reader: `or-${randomBytes(12).toString('hex')}`,
};

let db: TestDatabase;
let pool: pg.Pool;
let lock: pg.Client | undefined;
let dataDir: string;
const engines: EngineProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
  dataDir = mkdtempSync(join(tmpdir(), 'lethe-shred-crash-'));
});

afterAll(async () => {
  for (const e of engines) e.kill('SIGKILL');
  await Promise.all(engines.map((e) => e.exited));
  if (lock) {
    await lock.query('rollback').catch(() => undefined);
    await lock.end().catch(() => undefined);
  }
  await pool?.end();
  await db?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function startEngine(name: string, clockStart: string): Promise<{ engine: EngineProcess; url: string }> {
  const engine = spawnEngine({
    DATABASE_URL: db.url,
    PORT: '0',
    LETHE_INSTANCE_ID: name,
    LETHE_DATA_DIR: dataDir,
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: clockStart,
    LETHE_DEADLINE_POLL_MS: '100',
    LETHE_TOKENS: `operator:${tokens.operator},contract-system:${tokens.contract},admin:${tokens.admin},ops-reader:${tokens.reader}`,
  });
  engines.push(engine);
  return { engine, url: await listeningUrl(engine, name) };
}

async function call(base: string, method: 'GET' | 'POST', path: string, token?: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function eventCounts(): Promise<Record<string, number>> {
  const res = await pool.query<{ event_type: string; n: string }>(
    'select event_type, count(*) as n from lethe_events where stream_id = $1 group by event_type',
    [STREAM],
  );
  return Object.fromEntries(res.rows.map((r) => [r.event_type, Number(r.n)]));
}

async function stepTimer(): Promise<{ status: string; attempts: number } | undefined> {
  const res = await pool
    .query<{ status: string; attempts: number }>(`select status, attempts from lethe_deadlines where kind = 'shred-step'`)
    .catch(() => undefined);
  return res?.rows[0];
}

/** Backends waiting for a lock on dataplane_databases: the probe's query, stuck behind ours. */
async function blockedOnDataPlane(): Promise<number> {
  const res = await pool.query<{ n: string }>(
    `select count(*) as n from pg_locks where relation = 'dataplane_databases'::regclass and not granted`,
  );
  return Number(res.rows[0].n);
}

it('kill -9 between key destruction and the probe: after a restart the shred is verified exactly once', async () => {
  // --- Engine A: onboard, terminate, wait for the durable step timer.
  const a = await startEngine('engine-a', '2026-12-21T09:00:00Z');
  const onboarded = await call(a.url, 'POST', '/v1/tenants', tokens.operator, {
    tenantId: TENANT,
    jurisdiction: 'GB-ENG',
    keyCustody: 'managed',
    backupKeyMode: 'platform',
    databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }],
  });
  expect(onboarded.status).toBe(201);
  const terminated = await call(a.url, 'POST', `/v1/tenants/${TENANT}/terminations`, tokens.contract, {
    terminationId: 't-1',
    contractId: 'c-1',
    effectiveAt: '2026-12-23T17:00:00Z',
  });
  expect(terminated.status).toBe(202);
  // Working days after Wed 23 Dec in England: Thu 24, Tue 29 (Fri 25, the weekend and Mon 28, the
  // substitute Boxing Day, are off), Wed 30, Thu 31, Mon 4 Jan (Fri 1 Jan off). Executed after the
  // 2 working days of grace (end of Tue 29 Dec), promised by the end of the 5th (Mon 4 Jan).
  expect(terminated.body).toMatchObject({
    outcome: 'scheduled',
    executeAt: '2026-12-29T23:59:59.999Z',
    deadline: '2027-01-04T23:59:59.999Z',
    lateNotification: false,
  });
  const keyA = await call(a.url, 'GET', '/v1/certificate-key');
  expect(keyA.status).toBe(200);
  await waitUntil(async () => (await stepTimer())?.status === 'pending', 15_000, 'the pending shred-step timer');

  // --- Freeze the probe, fire the step, and kill -9 while the probe is blocked.
  lock = new pg.Client({ connectionString: db.url });
  await lock.connect();
  await lock.query('begin');
  await lock.query('lock table dataplane_databases in access exclusive mode');
  // Not awaited: it answers only after the probe, i.e. never (the engine dies first).
  const clockCall = call(a.url, 'POST', '/v1/admin/clock', tokens.admin, { now: '2026-12-30T00:00:00Z' }).then(
    (r) => r.status,
    () => 'connection lost',
  );
  await waitUntil(
    async () => {
      const c = await eventCounts();
      if (c.ShredProbeRecorded) throw new Error('a probe was recorded although the data plane table is locked');
      return c.KeyDestroyed === 1 && c.AssetsPurged === 1 && (await blockedOnDataPlane()) > 0;
    },
    4_000,
    'KeyDestroyed and AssetsPurged recorded and the probe blocked on the data plane table',
  );
  a.engine.kill('SIGKILL');
  expect((await a.engine.exited).signal).toBe('SIGKILL');
  await lock.query('rollback');
  await lock.end();
  lock = undefined;
  expect(await clockCall).toBe('connection lost'); // it died with the engine, unanswered

  // --- The state the crash left: steps recorded once, the timer not fired.
  const atCrash = await eventCounts();
  expect(atCrash).toMatchObject({ ShredScheduled: 1, ShredExecutionStarted: 1, KeyDestroyed: 1, AssetsPurged: 1 });
  expect(atCrash.ShredProbeRecorded).toBeUndefined();
  expect(atCrash.ShredVerified).toBeUndefined();
  // Engine A's claim on the timer outlives it until its lease runs out: the timer is pending, still
  // claimed by A, with no attempt recorded yet.
  const claim = await pool.query<{ claimed_by: string }>(`select claimed_by from lethe_deadlines where kind = 'shred-step'`);
  expect(claim.rows[0]).toEqual({ claimed_by: 'engine-a' });
  expect(await stepTimer()).toEqual({ status: 'pending', attempts: 0 });
  const versions = await pool.query<{ state: string }>(
    `select v.state from vault_key_versions v join vault_keys k using (key_id) where k.tenant_id = $1`,
    [TENANT],
  );
  expect(versions.rows.length).toBeGreaterThan(0);
  expect(versions.rows.every((r) => r.state === 'destroyed')).toBe(true);

  // --- Engine B on the same database and data folder (same master and signing keys).
  const b = await startEngine('engine-b', '2026-12-30T00:00:00Z');
  const moved = await call(b.url, 'POST', '/v1/admin/clock', tokens.admin, { now: '2026-12-30T00:00:01Z' });
  expect(moved.status).toBe(200);
  await waitUntil(async () => (await eventCounts()).ShredVerified === 1, 15_000, 'ShredVerified');
  await waitUntil(async () => (await stepTimer())?.status === 'fired', 5_000, 'the shred-step timer to be fired');
  // Engine B took the timer over once A's claim expired; A's lost run counts as a failed attempt.
  const taken = await pool.query<{ attempts: number; last_error: string; claimed_by: string | null }>(
    `select attempts, last_error, claimed_by from lethe_deadlines where kind = 'shred-step'`,
  );
  expect(taken.rows[0]).toEqual({ attempts: 1, last_error: expect.stringMatching(/^DeadlineClaimExpiredError: /), claimed_by: null });

  // --- Exactly once: every step recorded once, across both engines.
  await new Promise((r) => setTimeout(r, 300)); // a duplicate, if any, would show up by now
  const counts = await eventCounts();
  for (const type of SHRED_EVENTS) expect({ type, n: counts[type] }).toEqual({ type, n: 1 });
  expect(counts.ShredStepFailed).toBeUndefined();
  expect(counts.ShredVerificationFailed).toBeUndefined();
  const probe = await pool.query<{ data: { attempt: number; outcome: string; results: { databaseId: string; outcome: string }[] } }>(
    `select data from lethe_events where stream_id = $1 and event_type = 'ShredProbeRecorded'`,
    [STREAM],
  );
  expect(probe.rows[0].data).toMatchObject({
    attempt: 1,
    outcome: 'key-destroyed',
    results: [
      { databaseId: 'db-1', outcome: 'key-destroyed' },
      { databaseId: 'db-2', outcome: 'key-destroyed' },
    ],
  });

  // --- The read model catches up (asynchronously).
  let tenant: { status?: string; shred?: { verifiedAt?: string | null; probeAttempts?: number } | null } = {};
  await waitUntil(
    async () => {
      const res = await call(b.url, 'GET', `/v1/tenants/${TENANT}`, tokens.reader);
      tenant = res.body as typeof tenant;
      return res.status === 200 && tenant.status === 'verified';
    },
    15_000,
    'the tenant view to show verified',
  );
  // Engine B's poller may fire the due timer before the clock call moves the clock to 00:00:01.
  expect(tenant.shred).toMatchObject({ probeAttempts: 1 });
  expect(['2026-12-30T00:00:00.000Z', '2026-12-30T00:00:01.000Z']).toContain(tenant.shred?.verifiedAt);

  // --- The certificate: signed by the engine's key (the same before and after the restart).
  const key = await call(b.url, 'GET', '/v1/certificate-key');
  expect(key.status).toBe(200);
  const { keyId, pem } = key.body as { algorithm: string; keyId: string; pem: string };
  expect(keyId).toBe((keyA.body as { keyId: string }).keyId);
  let cert: { status: number; body: unknown } = { status: 0, body: undefined };
  await waitUntil(async () => (cert = await call(b.url, 'GET', `/v1/tenants/${TENANT}/deletion-certificate`, tokens.reader)).status === 200, 15_000, 'the certificate');
  const doc = cert.body as {
    certificate: {
      executedAt: string;
      keysDestroyedAt: string;
      verifiedAt: string;
      verifiedWithinDeadline: boolean;
      destroyedKeyVersions: { unusableAt: string }[];
      probes: unknown[];
      events: { type: string }[];
    };
    signature: { keyId: string };
  };
  expect(doc.signature.keyId).toBe(keyId);
  expect(doc.certificate.verifiedWithinDeadline).toBe(true);
  // Executed and destroyed by engine A (its clock), not redone by engine B.
  expect(doc.certificate).toMatchObject({ executedAt: '2026-12-30T00:00:00.000Z', keysDestroyedAt: '2026-12-30T00:00:00.000Z' });
  expect(doc.certificate.verifiedAt).toBe(tenant.shred?.verifiedAt);
  for (const v of doc.certificate.destroyedKeyVersions) expect(v.unusableAt).toBe('2026-12-30T00:00:00.000Z');
  expect(doc.certificate.destroyedKeyVersions).toHaveLength(versions.rows.length);
  expect(doc.certificate.probes).toHaveLength(1);
  expect(doc.certificate.events.map((e) => e.type)).toEqual([...SHRED_EVENTS]);
  const trusted = createPublicKey(pem);
  expect(verifyCertificate(doc, trusted)).toEqual({ valid: true, keyId });
  const laterVerified = structuredClone(doc);
  laterVerified.certificate.verifiedAt = '2026-12-29T12:00:00.000Z';
  expect(verifyCertificate(laterVerified, trusted)).toMatchObject({ valid: false });
  const fewerKeys = structuredClone(doc);
  fewerKeys.certificate.destroyedKeyVersions = fewerKeys.certificate.destroyedKeyVersions.slice(1);
  expect(verifyCertificate(fewerKeys, trusted)).toMatchObject({ valid: false });

  // Nothing alarming in engine B's log.
  expect(b.engine.output()).not.toContain('ALERT');
}, 3 * ENGINE_BOOT_TIMEOUT_MS);
