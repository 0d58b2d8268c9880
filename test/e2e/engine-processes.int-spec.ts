// The engine as operators run it: separate processes on one database, killed and signalled.
import pg from 'pg';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '@lethe/eventstore';
import { createTestDatabase, type TestDatabase, reportIdleError } from '@lethe/testing';
import { ENGINE_BOOT_TIMEOUT_MS, spawnEngine, waitUntil, type EngineProcess } from '../support/engine-process.js';

const PROJECTION = 'projection:event-type-counts';

let db: TestDatabase;
let pool: pg.Pool;
const engines: EngineProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
});

afterAll(async () => {
  for (const e of engines) e.kill('SIGKILL');
  await Promise.all(engines.map((e) => e.exited));
  await pool.end();
  await db.drop();
});

function start(instance: string, extra: Record<string, string> = {}): EngineProcess {
  const engine = spawnEngine({ DATABASE_URL: db.url, LETHE_ROLES: 'processors,poller', LETHE_INSTANCE_ID: instance, ...extra });
  engines.push(engine);
  return engine;
}

async function leaseOwner(): Promise<string | undefined> {
  const res = await pool.query('select owner from lethe_processor_leases where processor = $1', [PROJECTION]).catch(() => undefined);
  return res?.rows[0]?.owner;
}

async function countOf(type: string): Promise<number> {
  const res = await pool.query('select count from rm_event_type_counts where event_type = $1', [type]).catch(() => undefined);
  return Number(res?.rows[0]?.count ?? 0);
}

it('starts on its own embedded PostgreSQL in a fresh data folder, serves /readyz, and stops on SIGTERM', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lethe-embedded-'));
  const engine = spawnEngine({ LETHE_DATA_DIR: dataDir, PORT: '0', LETHE_INSTANCE_ID: 'embedded' });
  engines.push(engine);
  let url: string | undefined;
  await waitUntil(() => (url = /listening on (http:\/\/\S+)/.exec(engine.output())?.[1]) !== undefined || engine.child.exitCode !== null, 150_000, 'the engine to listen').catch(
    (error: Error) => {
      throw new Error(`${error.message}; its output so far:\n${engine.output()}`);
    },
  );
  expect(url).toBeDefined();
  let ready: Response | undefined;
  await waitUntil(async () => (ready = await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, 30_000, '/readyz to answer 200');
  expect(await ready!.json()).toMatchObject({ status: 'ok', details: { database: { status: 'up' }, migrations: { status: 'up' } } });
  // The key files it generated are for its owner only.
  expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
  engine.kill('SIGTERM');
  expect((await engine.exited).code).toBe(0);
  rmSync(dataDir, { recursive: true, force: true });
}, 200_000);

it('refuses to start on a bad setting, naming it', async () => {
  const engine = start('bad', { PORT: 'eighty', LETHE_ROLES: 'api' });
  const { code } = await engine.exited;
  expect(code).toBe(2);
  expect(engine.output()).toContain('PORT: must be a whole number from 0 to 65535');
}, ENGINE_BOOT_TIMEOUT_MS);

it('hands a processor to the standby when its owner is killed -9, and counts every event exactly once', async () => {
  const a = start('engine-a');
  await waitUntil(async () => (await leaseOwner()) === 'engine-a', ENGINE_BOOT_TIMEOUT_MS, 'engine-a to own the projection');
  const b = start('engine-b');
  await waitUntil(() => b.output().includes('Lethe engine started'), ENGINE_BOOT_TIMEOUT_MS, 'engine-b to boot');
  const store = new PostgresEventStore(pool);
  const type = `Probe${randomUUID().slice(0, 8)}`;
  const total = 600;
  let written = 0;
  const writer = (async () => {
    for (let i = 0; i < total / 3; i++) {
      await store.append(`probe-${i % 7}`, [0, 1, 2].map(() => ({ id: randomUUID(), type, data: { i } })), 'any');
      written += 3;
    }
  })();
  // Kill the owner while events are still arriving and being projected.
  await waitUntil(async () => (await countOf(type)) >= 60, 30_000, 'the owner to project some events');
  a.kill('SIGKILL');
  expect((await a.exited).signal).toBe('SIGKILL');
  await writer;
  expect(written).toBe(total);
  await waitUntil(async () => (await leaseOwner()) === 'engine-b', 30_000, 'engine-b to take over');
  await waitUntil(async () => (await countOf(type)) >= total, 30_000, 'every event projected');
  await new Promise((r) => setTimeout(r, 300));
  expect(await countOf(type)).toBe(total);
  await store.close();
}, 3 * ENGINE_BOOT_TIMEOUT_MS);

it('on SIGTERM finishes, releases its lease and exits 0', async () => {
  const owner = engines.find((e) => e.child.exitCode === null && e.child.signalCode === null)!;
  owner.kill('SIGTERM');
  const { code } = await owner.exited;
  expect(code).toBe(0);
  expect(await leaseOwner()).toBeUndefined();
  expect(owner.output()).toContain('Lethe engine stopped');
}, 30_000);
