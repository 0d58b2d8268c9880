// `lethe simulate` as an operator runs it: a small seeded fleet with every fault ends with no
// violation and a report; the same fleet on an engine with each known defect (--sabotage) must report
// the matching broken promise and exit 1. A simulator that cannot fail proves nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Real time a small run may take on a loaded 2-core machine. */
const RUN_TIMEOUT_MS = 420_000;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly out: string;
  readonly report: { violations: { promise: string; tenantId: string; expected: string; actual: string }[]; counts: Record<string, number>; unexpectedAnswers: unknown[] } | null;
}

/** Runs `lethe simulate` into a fresh folder; `interruptAfterMs`: sends SIGINT that long after the run starts. */
function lethe(args: readonly string[], interruptAfterMs?: number): Promise<Run> {
  const out = mkdtempSync(join(tmpdir(), 'lethe-simulate-'));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/lethe.js', 'simulate', ...args, '--out', out, '--no-progress'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATABASE_URL: process.env.LETHE_TEST_ADMIN_URL ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => {
      stderr += String(d);
      if (interruptAfterMs !== undefined && stderr.includes('simulating ') && !interrupting) {
        interrupting = true;
        setTimeout(() => child.kill('SIGINT'), interruptAfterMs);
      }
    });
    let interrupting = false;
    child.once('exit', (code) => {
      let report: Run['report'] = null;
      try {
        report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
      } catch {
        // No report: the run broke; the test shows its output.
      }
      resolve({ code, stdout, stderr, report, out });
    });
  });
}

/** A process's environment as text ('' when it is gone or not ours to read). */
function environOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8');
  } catch {
    return '';
  }
}

/** The clean run: every fault, two years. */
const FLEET = ['--tenants', '30', '--years', '2', '--seed', '7'];
/** The defects' runs: a smaller fleet whose year holds retirements, a shred over a holiday and shreds of several databases. */
const SMALL_FLEET = ['--tenants', '12', '--years', '1', '--seed', '3'];
const promisesOf = (run: Run) => [...new Set(run.report?.violations.map((v) => v.promise) ?? [])];
/** The run's report; a run that broke (no report) fails the test with its output. */
function reportOf(run: Run): NonNullable<Run['report']> {
  if (run.report === null) throw new Error(`no report; exit ${run.code}\n${run.stdout}\n${run.stderr.slice(-3000)}`);
  return run.report;
}

let runs: Record<'clean' | 'early-retirement' | 'holiday-as-working-day' | 'skip-probe', Promise<Run>>;

beforeAll(() => {
  // Two runs at a time (each is an engine and a simulator; the machine has two cores): the clean
  // run beside the defects' runs one after another.
  const clean = lethe([...FLEET, '--faults', 'vault,crash,duplicates,late']);
  const early = lethe([...SMALL_FLEET, '--sabotage', 'early-retirement']);
  const holiday = early.then(() => lethe([...SMALL_FLEET, '--sabotage', 'holiday-as-working-day']));
  const skip = holiday.then(() => lethe([...SMALL_FLEET, '--sabotage', 'skip-probe']));
  runs = { clean, 'early-retirement': early, 'holiday-as-working-day': holiday, 'skip-probe': skip };
});

describe('lethe simulate', () => {
  it('given a seeded fleet with every fault, when simulated, then every promise held and the report says what ran', async () => {
    const run = await runs.clean;
    const report = reportOf(run);
    expect({ code: run.code, violations: report.violations }).toEqual({ code: 0, violations: [] });
    const counts = report.counts;
    // The run did what it claims: tenants onboarded, rotations, backups, shreds verified, each fault.
    expect(counts.tenantsOnboarded).toBe(30);
    expect(counts.keyVersions).toBeGreaterThan(30);
    expect(counts.backups).toBeGreaterThan(100);
    expect(counts.shredsVerified).toBeGreaterThan(0);
    expect(counts.duplicateDeliveries).toBeGreaterThan(0);
    expect(counts.lateNotices).toBeGreaterThan(0);
    expect(report.unexpectedAnswers).toEqual([]);
    expect(run.stdout).toContain('0 violation(s)');
  }, 2 * RUN_TIMEOUT_MS);

  it.each([
    ['early-retirement', 'P3'],
    ['holiday-as-working-day', 'P4'],
    ['skip-probe', 'P5'],
  ] as const)('given the engine run with --sabotage %s, when simulated, then the run reports %s and exits 1', async (kind, promise) => {
    const run = await runs[kind];
    reportOf(run);
    expect(promisesOf(run)).toContain(promise);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`VIOLATION ${promise}`);
    // Read by people: one year is "1 year".
    expect(readFileSync(join(run.out, 'report.md'), 'utf8')).toContain('12 tenants × 1 year, seed 3');
  }, 3 * RUN_TIMEOUT_MS);

  it('given a run interrupted with SIGINT, when it stops, then it exits 130 with its engine stopped and its database dropped', async () => {
    const run = await lethe(['--tenants', '3', '--years', '1', '--seed', '1'], 8_000);
    expect(run.code).toBe(130);
    expect(run.stderr).toContain("the engine was stopped and the run's database dropped; no report");
    expect(run.report).toBeNull();
    // No process is left with the run's data folder (the engine's LETHE_DATA_DIR).
    const left = readdirSync('/proc').filter((pid) => /^\d+$/.test(pid) && environOf(pid).includes(join(run.out, 'engine')));
    expect(left).toEqual([]);
  }, RUN_TIMEOUT_MS);

  it('given an out folder holding an earlier run, when run into it, then it exits 2 naming --out and touches nothing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lethe-simulate-used-'));
    writeFileSync(join(out, 'report.md'), 'an earlier run\n');
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['bin/lethe.js', 'simulate', '--tenants', '1', '--years', '1', '--out', out, '--no-progress'], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATABASE_URL: process.env.LETHE_TEST_ADMIN_URL ?? '' },
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += String(d)));
      child.once('exit', (code) => resolve({ code, stderr }));
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--out: ${out} is not empty`);
    expect(readdirSync(out)).toEqual(['report.md']);
  }, 60_000);

  it('given a bad flag, when run, then it exits 2 naming the flag and its rule, and simulates nothing', async () => {
    const run = await lethe(['--tenants', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--tenants: must be a whole number from 1 to 100000');
    expect(run.report).toBeNull();
    const negative = await lethe(['--years', '-1']);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain('--years: must be a whole number from 1 to 50');
    const fault = await lethe(['--faults', 'vault,meteor']);
    expect(fault.code).toBe(2);
    expect(fault.stderr).toContain('--faults: each entry must be one of vault, crash, duplicates, late');
  }, 60_000);
});
