// LETHE_CLOCK=manual across restarts: the clock resumes where it was moved to, never from an earlier
// LETHE_CLOCK_START, and an engine refuses to start with its clock behind the newest recorded event.
import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase, reportIdleError } from '@lethe/testing';
import { spawnEngine, waitUntil, type EngineProcess } from '../support/engine-process.js';

const ADMIN = 'admin-token-for-the-manual-clock-0001';
const OPERATOR = 'operator-token-for-the-manual-clock-01';

let db: TestDatabase;
let pool: pg.Pool;
let dataDir: string;
const engines: EngineProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', reportIdleError);
  dataDir = mkdtempSync(join(tmpdir(), 'lethe-clock-'));
});

afterAll(async () => {
  for (const e of engines) e.kill('SIGKILL');
  await Promise.all(engines.map((e) => e.exited));
  await pool.end();
  await db.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

function spawnAt(clockStart: string): EngineProcess {
  const engine = spawnEngine({
    DATABASE_URL: db.url,
    LETHE_DATA_DIR: dataDir,
    PORT: '0',
    LETHE_CLOCK: 'manual',
    LETHE_CLOCK_START: clockStart,
    LETHE_TOKENS: `admin:${ADMIN},operator:${OPERATOR}`,
    LETHE_INSTANCE_ID: `clock-${engines.length}`,
  });
  engines.push(engine);
  return engine;
}

async function start(clockStart: string): Promise<{ engine: EngineProcess; url: string }> {
  const engine = spawnAt(clockStart);
  let url: string | undefined;
  await waitUntil(() => (url = /listening on (http:\/\/\S+)/.exec(engine.output())?.[1]) !== undefined || engine.child.exitCode !== null, 120_000, 'the engine to listen');
  if (!url) throw new Error(`the engine did not start:\n${engine.output()}`);
  return { engine, url };
}

const call = async (url: string, method: string, path: string, token: string, body?: unknown) => {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

async function stop(engine: EngineProcess): Promise<void> {
  engine.kill('SIGTERM');
  expect((await engine.exited).code).toBe(0);
}

it('resumes from the time it was moved to, answers what fired, and refuses to start behind the newest event', async () => {
  const first = await start('2026-03-02T09:00:00Z');
  expect(await call(first.url, 'GET', '/v1/admin/clock', ADMIN)).toEqual({ status: 200, body: { now: '2026-03-02T09:00:00.000Z' } });
  const onboarded = await call(first.url, 'POST', '/v1/tenants', OPERATOR, {
    tenantId: 'clock-co',
    jurisdiction: 'GB-ENG',
    keyCustody: 'managed',
    backupKeyMode: 'customer',
    databases: [{ databaseId: 'db-1' }],
  });
  expect(onboarded.status).toBe(201);
  // A year on, the key's timers are due: the answer names what fired.
  await waitUntil(
    async () => Number((await pool.query(`select count(*) as n from lethe_deadlines where status = 'pending' and due_at <= '2027-03-10T09:00:00Z'`)).rows[0].n) > 0,
    30_000,
    'a timer due within the year',
  );
  const moved = await call(first.url, 'POST', '/v1/admin/clock', ADMIN, { now: '2027-03-10T09:00:00Z' });
  expect(moved.status).toBe(200);
  expect(moved.body.now).toBe('2027-03-10T09:00:00.000Z');
  expect(moved.body.fired).toEqual(expect.arrayContaining([{ id: expect.any(String), kind: expect.any(String) }]));
  expect((moved.body.fired as unknown[]).length).toBeGreaterThanOrEqual(1);
  await stop(first.engine);

  // Restarted with the original, earlier LETHE_CLOCK_START: the clock resumes where it was.
  const second = await start('2026-03-02T09:00:00Z');
  expect((await call(second.url, 'GET', '/v1/admin/clock', ADMIN)).body).toEqual({ now: '2027-03-10T09:00:00.000Z' });
  await stop(second.engine);

  // Without the stored time (a database from before it was kept), a start behind the log is refused.
  const newest = await pool.query<{ at: Date }>(`select max((metadata->>'occurredAt')::timestamptz) as at from lethe_events`);
  await pool.query('delete from lethe_manual_clock');
  const refused = spawnAt('2026-03-01T00:00:00Z');
  const { code } = await refused.exited;
  expect(code).toBe(2);
  expect(refused.output()).toContain('LETHE_CLOCK_START');
  expect(refused.output()).toContain(newest.rows[0].at.toISOString());
}, 300_000);
