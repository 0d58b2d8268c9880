// `lethe simulate` as an operator runs it: a small seeded fleet with every fault ends with no
// violation and a report; the same fleet on an engine with each known defect (--sabotage) must report
// the matching broken promise and exit 1. A simulator that cannot fail proves nothing.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** Real time a small run may take on a loaded 2-core machine. */
const RUN_TIMEOUT_MS = 420_000;
/** Real time for a few refused runs: each still loads the command's TypeScript (seconds on a loaded machine). */
const REFUSALS_TIMEOUT_MS = 240_000;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly out: string;
  readonly report: { violations: { promise: string; tenantId: string; expected: string; actual: string }[]; counts: Record<string, number>; unexpectedAnswers: unknown[] } | null;
}

/**
 * How a test interrupts a run: SIGINT `afterMs` after the run starts; `twice`: SIGINT once its engine
 * listens, and a second one as soon as the run says it is stopping (its orderly stop then still
 * waits for the engine's own stop, which takes far longer than a signal); `duringSetup`: SIGINT as
 * soon as the run names its database, while its engine boots (seconds).
 */
type Interrupt = { readonly afterMs: number } | { readonly twice: true } | { readonly duringSetup: true };

/** Runs `lethe simulate` into `out` (a fresh folder unless given), interrupting it as `interrupt` says. */
function lethe(args: readonly string[], interrupt?: Interrupt, out = mkdtempSync(join(tmpdir(), 'lethe-simulate-'))): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/lethe.js', 'simulate', ...args, '--out', out, '--no-progress'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATABASE_URL: process.env.LETHE_TEST_ADMIN_URL ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    let interrupting = false;
    let interruptedAgain = false;
    child.stderr.on('data', (d) => {
      stderr += String(d);
      if (interrupt === undefined) return;
      if (!interrupting && 'afterMs' in interrupt && stderr.includes('simulating ')) {
        interrupting = true;
        setTimeout(() => child.kill('SIGINT'), interrupt.afterMs);
      } else if (!interrupting && 'duringSetup' in interrupt && stderr.includes('\non ')) {
        interrupting = true;
        child.kill('SIGINT');
      } else if (!interrupting && 'twice' in interrupt && stderr.includes('\non ')) {
        interrupting = true;
        void whenEngineListens(out, () => child.exitCode !== null).then(() => child.kill('SIGINT'));
      } else if (!interruptedAgain && 'twice' in interrupt && stderr.includes('SIGINT: stopping')) {
        interruptedAgain = true;
        child.kill('SIGINT');
      }
    });
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

/** Resolves once the run's engine has said it listens (its log in the run's folder), or the run is over. */
async function whenEngineListens(out: string, over: () => boolean): Promise<void> {
  const log = join(out, 'engine.log');
  while (!over() && !(existsSync(log) && readFileSync(log, 'utf8').includes('listening on'))) await new Promise((resolve) => setTimeout(resolve, 100));
}

/** A one-tenant year into `out` as given (the tests of a refused --out). */
const simulateInto = (out: string) => lethe(['--tenants', '1', '--years', '1'], undefined, out);

/** Processes whose environment or command line name `folder` (a run's engine, its embedded server). */
function processesUsing(folder: string): string[] {
  return readdirSync('/proc').filter((pid) => /^\d+$/.test(pid) && (environOf(pid).includes(folder) || commandLineOf(pid).includes(folder)));
}

/** Waits up to `ms` for processesUsing(folder) to be empty (a SIGKILL takes effect asynchronously); returns what is left. */
async function processesLeft(folder: string, ms: number): Promise<string[]> {
  const until = Date.now() + ms;
  let left = processesUsing(folder);
  while (left.length > 0 && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    left = processesUsing(folder);
  }
  return left;
}

function commandLineOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
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
    expect(run.stderr).toContain('simulating 12 tenants over 1 year (');
    expect(readFileSync(join(run.out, 'report.md'), 'utf8')).toContain('12 tenants × 1 year, seed 3');
  }, 3 * RUN_TIMEOUT_MS);

  it('given a run interrupted with SIGINT, when it stops, then it exits 130 with its engine stopped and its database dropped', async () => {
    const run = await lethe(['--tenants', '3', '--years', '1', '--seed', '1'], { afterMs: 8_000 });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain("the engine was stopped and the run's database dropped; no report");
    expect(run.report).toBeNull();
    // No process is left with the run's data folder (the engine's LETHE_DATA_DIR).
    const left = readdirSync('/proc').filter((pid) => /^\d+$/.test(pid) && environOf(pid).includes(join(run.out, 'engine')));
    expect(left).toEqual([]);
  }, RUN_TIMEOUT_MS);

  it('given an engine booting, when SIGINT comes, then the run ends without waiting for it to listen, exits 130 and leaves nothing running', async () => {
    const run = await lethe(['--tenants', '3', '--years', '1', '--seed', '1'], { duringSetup: true });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain("the simulation was interrupted at simulated 2027-01-04T00:00:00.000Z; the engine was stopped and the run's database dropped; no report");
    // It never listened: stopped while booting, or never started (the signal came before it was spawned).
    expect(existsSync(join(run.out, 'engine.log')) ? readFileSync(join(run.out, 'engine.log'), 'utf8') : '').not.toContain('listening on');
    expect(await processesLeft(run.out, 10_000)).toEqual([]);
  }, RUN_TIMEOUT_MS);

  it('given a running engine, when SIGINT comes again while the run stops, then it exits 130 at once and no engine or embedded server outlives it', async () => {
    const run = await lethe(['--tenants', '3', '--years', '1', '--seed', '1'], { twice: true });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('SIGINT again: the engine was killed');
    // The engine runs in its own process group: only the simulator's exit hook ends it.
    expect(await processesLeft(run.out, 10_000)).toEqual([]);
    // A database on a server is left, named so it can be dropped: this test drops it.
    const left = /; database (lethe_simulate_[0-9a-f]+) on \S+ was not dropped/.exec(run.stderr)?.[1];
    expect(left).toBeDefined();
    const admin = new pg.Client({ connectionString: process.env.LETHE_TEST_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`drop database if exists ${left} with (force)`);
    } finally {
      await admin.end();
    }
  }, RUN_TIMEOUT_MS);

  it('given an out folder holding an earlier run, when run into it, then it exits 2 naming --out and touches nothing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lethe-simulate-used-'));
    writeFileSync(join(out, 'report.md'), 'an earlier run\n');
    const run = await simulateInto(out);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--out: ${out} is not empty`);
    expect(readdirSync(out)).toEqual(['report.md']);
  }, REFUSALS_TIMEOUT_MS);

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
    expect(fault.stderr).toContain('--faults: "meteor" is not a fault; each entry must be one of vault, crash, duplicates, late');
    const none = await lethe(['--faults', '']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--faults: must name at least one of vault, crash, duplicates, late (leave the flag out for none)');
    const unknown = await lethe(['--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--bogus: no such flag');
    // A flag given twice is refused (the last value silently won), and one without its value says what it takes.
    const twice = await lethe(['--tenants', '10', '--tenants', '20']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('--tenants: given twice; give it once');
    const empty = await lethe(['--sabotage', '--tenants', '3']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('--sabotage: needs a value, one of early-retirement, holiday-as-working-day, skip-probe');
    expect(empty.stderr).not.toContain('ambiguous');
  }, REFUSALS_TIMEOUT_MS);

  it('given --out naming a file, a folder under a file or under a parent that refuses folders, when run, then it exits 2 naming --out and makes nothing', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'lethe-simulate-file-'));
    const file = join(parent, 'notes.txt');
    writeFileSync(file, 'not a folder\n');
    for (const [out, rule] of [
      [file, `--out: ${file} is a file; it must be a new or empty folder`],
      [join(file, 'run'), `--out: ${join(file, 'run')} cannot be made (${file} is a file); it must be a new or empty folder`],
      // A parent that refuses new folders (Node's recursive mkdir spun forever on it).
      ['/proc/lethe-simulate-run', '--out: /proc/lethe-simulate-run cannot be made (ENOENT: no such file or directory); it must be a new or empty folder'],
    ] as const) {
      const run = await simulateInto(out);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(rule);
    }
    expect(readdirSync(parent)).toEqual(['notes.txt']);
    expect(readFileSync(file, 'utf8')).toBe('not a folder\n');
  }, REFUSALS_TIMEOUT_MS);
});
