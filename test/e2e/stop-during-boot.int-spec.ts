// A stop at any moment of boot: the engine exits 0 promptly and holds nothing afterwards (no lease
// row, no advisory lock, no embedded PostgreSQL left running).
import pg from 'pg';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase, reportIdleError } from '@lethe/testing';
import { spawnEngine, waitUntil, type EngineProcess } from '../support/engine-process.js';

/** From the signal to the exit. */
const STOP_BOUND_MS = 15_000;

let db: TestDatabase;
let pool: pg.Pool;
const engines: EngineProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', reportIdleError);
});

afterAll(async () => {
  for (const e of engines) e.kill('SIGKILL');
  await Promise.all(engines.map((e) => e.exited));
  await pool.end();
  await db.drop();
});

async function heldLeases(): Promise<{ rows: number; locks: number }> {
  const rows = await pool.query<{ n: string }>('select count(*) as n from lethe_processor_leases').catch(() => ({ rows: [{ n: '0' }] }));
  const locks = await pool.query<{ n: string }>(
    `select count(*) as n from pg_locks where locktype = 'advisory' and classid = 4242 and granted
        and database = (select oid from pg_database where datname = current_database())`,
  );
  return { rows: Number(rows.rows[0].n), locks: Number(locks.rows[0].n) };
}

/** Spawns an engine and sends SIGTERM `delayMs` after `line` appears in its output (at once when `line` is null). */
async function stopAt(line: string | null, delayMs: number, env: Record<string, string>): Promise<{ engine: EngineProcess; stopMs: number }> {
  const engine = spawnEngine({ PORT: '0', LETHE_INSTANCE_ID: `boot-stop-${engines.length}`, ...env });
  engines.push(engine);
  if (line !== null) {
    await waitUntil(() => engine.output().includes(line) || engine.child.exitCode !== null, 120_000, `"${line}"`);
    expect(engine.child.exitCode).toBeNull();
  }
  await new Promise((r) => setTimeout(r, delayMs));
  const signalledAt = Date.now();
  engine.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const exit = await Promise.race([engine.exited, new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), STOP_BOUND_MS)))]);
  clearTimeout(timer);
  if (exit === 'hung') throw new Error(`no exit ${STOP_BOUND_MS} ms after SIGTERM; output:\n${engine.output().slice(-3000)}`);
  const stoppedAt = line === null ? `${delayMs} ms after spawn` : `${delayMs} ms after "${line}"`;
  // Before Node has run any of the engine's code (it is still starting, or compiling TypeScript
  // here), the signal's default action ends it: nothing has been opened yet. From the first line
  // of the engine on, its own handler stops it and it exits 0.
  const beforeAnyCode = line === null && exit.signal === 'SIGTERM' && engine.output() === '';
  if (!beforeAnyCode) expect({ ...exit, stoppedAt }).toEqual({ code: 0, signal: null, stoppedAt });
  return { engine, stopMs: Date.now() - signalledAt };
}

// Moments of boot, in order: module loading, after the database opened, while Nest wires the
// application, while processors take their leases, once they run.
const moments: [string | null, number][] = [
  [null, 0],
  [null, 40],
  [null, 200],
  ['certificate signing key', 0],
  ['Nest application successfully started', 0],
  ['Lethe engine started', 0],
  ['Lethe engine started', 40],
  ['Lethe engine started', 1500],
];

it.each(moments)('SIGTERM %s + %i ms: exits 0 promptly, no lease left held', async (line, delayMs) => {
  await stopAt(line, delayMs, { DATABASE_URL: db.url });
  expect(await heldLeases()).toEqual({ rows: 0, locks: 0 });
}, 180_000);

it('on embedded PostgreSQL: a stop while processors take their leases stops PostgreSQL too', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lethe-boot-stop-'));
  try {
    const { engine } = await stopAt('Lethe engine started', 40, { LETHE_DATA_DIR: dataDir });
    expect(engine.output()).toContain('Lethe engine stopped');
    const pidFile = join(dataDir, 'postgres', 'pg', 'postmaster.pid');
    // PostgreSQL removes its pid file when it has shut down.
    expect(existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n')[0] : 'gone').toBe('gone');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 240_000);
