// /readyz tells the truth (ARCHITECTURE.md §4, several instances): it fails while a processor this
// instance should run is neither running here nor owned by a live instance, while a processor lags
// the log by more than LETHE_READY_MAX_LAG_MS, while the direct connection is lost, and while the
// deadline poller fails; it lists each
// check and shows no URL, host name or instance id. Another instance is played by a plain session
// that holds a processor's lease lock, with or without a heartbeating lease row.
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { loadConfig } from '../../apps/engine/src/config/engine-config.js';
import { startEngine, type RunningEngine } from '../../apps/engine/src/engine.js';
import { ENGINE_MIGRATIONS } from '../../apps/engine/src/infrastructure/database.js';
import { createLogger } from '../../apps/engine/src/logging/logger.js';
import { waitUntil } from '../support/engine-process.js';
import { apiClient, type ApiResponse } from '../support/http-client.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const OPERATOR = `op-${randomBytes(12).toString('hex')}`;
const INSTANCE = 'readiness-instance-7f3a';
/** The processor another "instance" holds in these tests. */
const HELD = 'saga:shred';
const LEASE_LOCK_CLASS = 4242;
const MAX_LAG_MS = 1_500;

let db: TestDatabase;
let pool: pg.Pool;
let proxy: TcpProxy;
let engine: RunningEngine;
let api: ReturnType<typeof apiClient>;
/** The session playing another instance: it holds HELD's lease lock. */
let other: pg.Client;
let heartbeat: NodeJS.Timeout | undefined;

const ready = () => api('GET', '/readyz');
const processorOf = (res: ApiResponse, name: string) => res.body.details.processors[name];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', reportIdleError);
  await runMigrations(db.url, ENGINE_MIGRATIONS);
  other = new pg.Client({ connectionString: db.url });
  await other.connect();
  const got = await other.query<{ ok: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as ok', [LEASE_LOCK_CLASS, HELD]);
  expect(got.rows[0].ok).toBe(true);
  const url = new URL(db.url);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  const direct = new URL(db.url);
  direct.hostname = '127.0.0.1';
  direct.port = String(proxy.port);
  const config = loadConfig({
    DATABASE_URL: db.url,
    LETHE_DIRECT_DATABASE_URL: direct.toString(),
    LETHE_READY_MAX_LAG_MS: String(MAX_LAG_MS),
    PORT: '0',
    LETHE_INSTANCE_ID: INSTANCE,
    LETHE_DATA_DIR: mkdtempSync(join(tmpdir(), 'lethe-readiness-')),
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: '2027-01-04T09:00:00.000Z',
    LETHE_DEADLINE_POLL_MS: '100',
    LETHE_MASTER_KEY: randomBytes(32).toString('base64'),
    LETHE_TOKENS: `operator:${OPERATOR}`,
  });
  engine = await startEngine(config, { logger: createLogger('warn', new Writable({ write: (_c, _e, done) => done() })) });
  api = apiClient(engine.url);
}, 60_000);

afterAll(async () => {
  if (heartbeat) clearInterval(heartbeat);
  await engine?.close();
  await other?.end().catch(() => undefined);
  await proxy?.close();
  await pool?.end();
  await db?.drop();
});

it('is not ready while a processor is neither running here nor owned by a live instance, and names it', async () => {
  // The lock is held, but no instance heartbeats a lease for it: nobody is doing its work.
  let res!: ApiResponse;
  await waitUntil(async () => {
    res = await ready();
    return res.body?.details?.processors?.['saga:keys']?.state === 'running-here';
  }, 20_000, 'the other processors to run here');
  expect(res.status).toBe(503);
  expect(res.body.error.processors.status).toBe('down');
  expect(processorOf(res, HELD).state).toBe('unowned');
  for (const name of ['database', 'directConnection', 'migrations']) expect(res.body.details[name].status).toBe('up');
});

it('is ready while that processor is owned by another live instance', async () => {
  await other.query(
    `insert into lethe_processor_leases (processor, owner, backend_pid, position) values ($1, 'another-instance', pg_backend_pid(), 0)`,
    [HELD],
  );
  heartbeat = setInterval(() => void other.query('update lethe_processor_leases set heartbeat_at = now() where processor = $1', [HELD]), 300);
  let res!: ApiResponse;
  await waitUntil(async () => (res = await ready()).status === 200, 10_000, '/readyz to answer 200');
  expect(processorOf(res, HELD).state).toBe('owned-elsewhere');
  expect(processorOf(res, 'saga:keys').state).toBe('running-here');
});

it('is not ready while a processor lags the log by more than LETHE_READY_MAX_LAG_MS, and ready once it catches up', async () => {
  // The other instance owns the shred saga but does not move: the saga's events pile up behind it.
  const onboarded = await api('POST', '/v1/tenants', OPERATOR, {
    tenantId: 'acme',
    jurisdiction: 'GB-ENG',
    keyCustody: 'managed',
    backupKeyMode: 'customer',
    databases: [{ databaseId: 'db-1' }],
  });
  expect(onboarded.status).toBe(201);
  let res!: ApiResponse;
  await waitUntil(async () => (res = await ready()).status === 503, MAX_LAG_MS + 10_000, '/readyz to report the lag');
  expect(processorOf(res, HELD)).toMatchObject({ state: 'owned-elsewhere' });
  expect(processorOf(res, HELD).lagMs).toBeGreaterThan(MAX_LAG_MS);
  expect(res.body.details.processors.maxLagMs).toBe(MAX_LAG_MS);
  expect(processorOf(res, 'saga:keys').lagMs).toBeLessThanOrEqual(MAX_LAG_MS);

  // The other instance goes away: this one takes the lease over and catches up.
  clearInterval(heartbeat);
  heartbeat = undefined;
  await other.end();
  await waitUntil(async () => (res = await ready()).status === 200, 20_000, '/readyz to answer 200 after the takeover');
  expect(processorOf(res, HELD)).toMatchObject({ state: 'running-here', lagMs: 0 });
});

it('is not ready while the direct connection is lost, and ready again once it is back', async () => {
  await proxy.cut();
  let res!: ApiResponse;
  await waitUntil(async () => (res = await ready()).status === 503, 10_000, '/readyz to fail');
  expect(res.body.error.directConnection.status).toBe('down');
  expect(res.body.details.database.status).toBe('up');
  await proxy.restore();
  await waitUntil(async () => (res = await ready()).status === 200, 30_000, '/readyz to recover');
  expect(res.body.details.directConnection.status).toBe('up');
});

it('is not ready while the deadline poller fails, and ready again once it drains', async () => {
  // The poller's table out of reach: every drain fails (42P01, undefined table).
  await pool.query('alter table lethe_deadlines rename to lethe_deadlines_away');
  let res!: ApiResponse;
  try {
    await waitUntil(async () => (res = await ready()).status === 503, 10_000, '/readyz to fail');
    expect(res.body.error.poller).toMatchObject({ status: 'down', lastError: '42P01' });
  } finally {
    await pool.query('alter table lethe_deadlines_away rename to lethe_deadlines');
  }
  await waitUntil(async () => (res = await ready()).status === 200, 10_000, '/readyz to recover');
  expect(res.body.details.poller).toMatchObject({ status: 'up', draining: expect.any(Boolean) });
});

it('lists each check without URLs, host names or instance ids', async () => {
  const res = await ready();
  expect(Object.keys(res.body.details).sort()).toEqual(['database', 'directConnection', 'migrations', 'poller', 'processors']);
  const url = new URL(db.url);
  for (const secret of [hostname(), INSTANCE, url.host, url.pathname.slice(1), `:${proxy.port}`, 'postgres://']) {
    expect(res.text).not.toContain(secret);
  }
});
