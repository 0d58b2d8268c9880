// A lost or replaced master key stops the engine at boot (issue 7, fault 9): the engine as a real
// process, first on a data folder that seals an onboarded tenant's key, then against the same
// database with a fresh data folder (no master.key: one would be generated) and with another
// LETHE_MASTER_KEY. Both must exit 2 naming LETHE_MASTER_KEY and the data folder, before serving.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@lethe/testing';
import { ENGINE_BOOT_TIMEOUT_MS, listeningUrl, spawnEngine, waitUntil, type EngineProcess } from '../support/engine-process.js';

const OPERATOR = `op-${randomBytes(12).toString('hex')}`;
let db: TestDatabase;
const dirs: string[] = [];
const engines: EngineProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  for (const e of engines) e.kill('SIGKILL');
  await Promise.all(engines.map((e) => e.exited));
  await db?.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lethe-kcv-'));
  dirs.push(dir);
  return dir;
}

function start(dir: string, extra: Record<string, string> = {}): EngineProcess {
  const engine = spawnEngine({ DATABASE_URL: db.url, PORT: '0', LETHE_DATA_DIR: dir, LETHE_TOKENS: `operator:${OPERATOR}`, ...extra });
  engines.push(engine);
  return engine;
}

async function listening(engine: EngineProcess): Promise<string> {
  return listeningUrl(engine);
}

/**
 * What a refused boot must not log besides its refusal: its unwinding releases the engine lock (not a
 * lost session) and closes each part once.
 */
const SPURIOUS_SHUTDOWN_LINES = /engine lock session was lost|Called end on pool more than once|could not close a part of the engine/;

/** The exit code of an engine expected to refuse to start; fails as soon as it serves instead. */
async function refusal(engine: EngineProcess): Promise<number | null> {
  await waitUntil(
    () => {
      if (/listening on/.test(engine.output())) throw new Error(`the engine started instead of refusing:\n${engine.output()}`);
      return engine.child.exitCode !== null;
    },
    60_000,
    'the engine to exit',
  );
  return (await engine.exited).code;
}

it('refuses to start with a fresh data folder or another LETHE_MASTER_KEY on a database whose vault holds keys', async () => {
  const original = dataDir();
  const first = start(original);
  const url = await listening(first);
  const onboarded = await fetch(`${url}/v1/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' },
    body: JSON.stringify({ tenantId: 'acme', jurisdiction: 'GB', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }] }),
  });
  expect(onboarded.status).toBe(201);
  // SIGKILL, not SIGTERM: what is under test is the next boot, not this shutdown (the onboarding is committed).
  first.kill('SIGKILL');
  await first.exited;

  // A fresh data folder: no master.key, so one would be generated.
  const fresh = dataDir();
  const lost = start(fresh);
  expect(await refusal(lost)).toBe(2);
  expect(lost.output()).toContain('Lethe refuses to start');
  expect(lost.output()).toContain('LETHE_MASTER_KEY');
  expect(lost.output()).toContain(`LETHE_DATA_DIR=${fresh}`);
  expect(lost.output()).not.toMatch(SPURIOUS_SHUTDOWN_LINES);
  // The key it generated is gone again, so the next start says the same thing.
  expect(existsSync(join(fresh, 'master.key'))).toBe(false);

  // Another key in LETHE_MASTER_KEY, with the original data folder.
  const other = start(original, { LETHE_MASTER_KEY: randomBytes(32).toString('base64') });
  expect(await refusal(other)).toBe(2);
  expect(other.output()).toContain('LETHE_MASTER_KEY is set to another master key');
  expect(other.output()).toContain(`LETHE_DATA_DIR=${original}`);
  expect(other.output()).not.toMatch(SPURIOUS_SHUTDOWN_LINES);

  // The right key still starts.
  const again = start(original);
  await listening(again);
  again.kill('SIGKILL');
}, 4 * ENGINE_BOOT_TIMEOUT_MS);
