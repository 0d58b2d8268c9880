// `lethe simulate`: a seeded fleet taken through the real engine for years of simulated time, every
// promise checked by the independent oracle as it goes. Exit 0 when every promise held, 1 on any
// violation (or an answer the API never gives, such as a 500), 2 on bad usage.
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SABOTAGE_KINDS } from '@lethe/lifecycle';
import { FAULT_KINDS, generateFleet, type FaultKind } from '../../simulator/src/fleet/index.js';
import { simulationProgressBar } from '../../simulator/src/driver/progress.js';
import { runSimulation, SimulationInterruptedError } from '../../simulator/src/driver/simulation.js';
import { duration, writeSimulationReport } from '../../simulator/src/report/simulation-report.js';

export const SIMULATE_USAGE = `usage: lethe simulate [--tenants N] [--years N] [--seed N] [--faults ${FAULT_KINDS.join(',')}]
                     [--sabotage ${SABOTAGE_KINDS.join('|')}] [--out dir] [--keep-database] [--no-progress]

  --tenants N      tenants in the fleet, 1..100000 (default 1000)
  --years N        simulated years, 1..50 (default 10)
  --seed N         the fleet's seed, 0..4294967295 (default 42): the same seed gives the same fleet
  --faults list    comma-separated, any of ${FAULT_KINDS.join(', ')} (default none)
  --sabotage kind  run the engine with a known defect; the run must then report it and exit 1
  --out dir        where the report, the engine's log and data go (default ./simulation-<seed>)
  --keep-database  keep the run's database on DATABASE_URL's server (default: dropped at the end)
  --no-progress    no progress bar

Runs on an embedded PostgreSQL in the out folder, or on a fresh database created on the server of
DATABASE_URL (the role needs CREATEDB). Writes report.md and report.json.
`;

/** A flag's value broke its rule: exit 2 with this message. */
class UsageError extends Error {}

/** The whole-number flags: default, least and greatest value. */
const NUMBERS = {
  tenants: { fallback: 1000, min: 1, max: 100_000 },
  years: { fallback: 10, min: 1, max: 50 },
  seed: { fallback: 42, min: 0, max: 2 ** 32 - 1 },
} as const;

const numberValue = (name: keyof typeof NUMBERS) => `a whole number from ${NUMBERS[name].min} to ${NUMBERS[name].max}`;
const numberRule = (name: keyof typeof NUMBERS) => `--${name}: must be ${numberValue(name)}`;

function integer(name: keyof typeof NUMBERS, raw: string | undefined): number {
  const { fallback, min, max } = NUMBERS[name];
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new UsageError(numberRule(name));
  return Number(raw);
}

/** A negative number after a number flag: parseArgs would call it ambiguous; the flag's rule says more. */
function refuseNegativeNumbers(argv: readonly string[]): void {
  argv.forEach((arg, i) => {
    const name = arg.replace(/^--/, '');
    if (arg.startsWith('--') && name in NUMBERS && /^-\d/.test(argv[i + 1] ?? '')) throw new UsageError(numberRule(name as keyof typeof NUMBERS));
  });
}

/** What each flag with a value takes, for the error of a flag given without one. */
const VALUES: Readonly<Record<string, () => string>> = {
  tenants: () => numberValue('tenants'),
  years: () => numberValue('years'),
  seed: () => numberValue('seed'),
  faults: () => `a comma-separated list of ${FAULT_KINDS.join(', ')}`,
  sabotage: () => `one of ${SABOTAGE_KINDS.join(', ')}`,
  out: () => 'a new or empty folder',
};

/**
 * A flag given twice (which one would count?) or without its value (parseArgs' words for that name
 * neither the rule nor what is missing) is refused in the flag's own words.
 */
function refuseRepeatedOrEmptyFlags(argv: readonly string[]): void {
  const seen = new Set<string>();
  argv.forEach((arg, i) => {
    if (!arg.startsWith('--')) return;
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals === -1 ? undefined : equals);
    if (seen.has(name)) throw new UsageError(`--${name}: given twice; give it once`);
    seen.add(name);
    const value = VALUES[name];
    const next = argv[i + 1];
    if (value !== undefined && equals === -1 && (next === undefined || next.startsWith('-'))) throw new UsageError(`--${name}: needs a value, ${value()}`);
  });
}

function faultList(raw: string | undefined): FaultKind[] {
  if (raw === undefined) return [];
  if (raw.trim() === '') throw new UsageError(`--faults: must name at least one of ${FAULT_KINDS.join(', ')} (leave the flag out for none)`);
  const out: FaultKind[] = [];
  for (const item of raw.split(',').map((s) => s.trim())) {
    if (!(FAULT_KINDS as readonly string[]).includes(item)) {
      throw new UsageError(`--faults: ${JSON.stringify(item)} is not a fault; each entry must be one of ${FAULT_KINDS.join(', ')}`);
    }
    if (!out.includes(item as FaultKind)) out.push(item as FaultKind);
  }
  return out;
}

/**
 * The run's folder, made now (last, once every other flag passed: bad input leaves nothing behind).
 * It must be new or empty: a folder of an earlier run would mix two runs' files (and an embedded
 * cluster made with another key).
 * @throws UsageError naming --out when it is a file, not empty, or cannot be made (the system's reason).
 */
function outFolder(raw: string): string {
  const out = resolve(raw);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new UsageError(`--out: ${out} is a file; it must be a new or empty folder`);
    if (readdirSync(out).length > 0) throw new UsageError(`--out: ${out} is not empty (an earlier run?); choose another folder or remove it`);
    return out;
  }
  // Made one folder at a time from the nearest that exists: Node's recursive mkdir spins forever where
  // a parent exists but refuses new folders (under /proc), and what a failure made is taken back.
  const missing: string[] = [];
  let existing = out;
  for (; !existsSync(existing) && dirname(existing) !== existing; existing = dirname(existing)) missing.unshift(existing);
  if (!statSync(existing).isDirectory()) throw new UsageError(`--out: ${out} cannot be made (${existing} is a file); it must be a new or empty folder`);
  const made: string[] = [];
  try {
    for (const folder of missing) {
      mkdirSync(folder);
      made.unshift(folder);
    }
  } catch (error) {
    for (const folder of made) rmdirSync(folder);
    // Node's message, e.g. "EACCES: permission denied, mkdir '/a/b'": the reason, without the path again.
    const reason = (error as Error).message.split(', ')[0];
    throw new UsageError(`--out: ${out} cannot be made (${reason}); it must be a new or empty folder`);
  }
  return out;
}

export async function simulate(argv: readonly string[]): Promise<number> {
  let settings;
  try {
    refuseNegativeNumbers(argv);
    refuseRepeatedOrEmptyFlags(argv);
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        tenants: { type: 'string' },
        years: { type: 'string' },
        seed: { type: 'string' },
        faults: { type: 'string' },
        sabotage: { type: 'string' },
        out: { type: 'string' },
        'keep-database': { type: 'boolean' },
        'no-progress': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      process.stdout.write(SIMULATE_USAGE);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument: ${positionals[0]}`);
    if (values.sabotage !== undefined && !(SABOTAGE_KINDS as readonly string[]).includes(values.sabotage)) {
      throw new UsageError(`--sabotage: must be one of ${SABOTAGE_KINDS.join(', ')}`);
    }
    const tenants = integer('tenants', values.tenants);
    const years = integer('years', values.years);
    const seed = integer('seed', values.seed);
    const faults = faultList(values.faults);
    const out = outFolder(values.out ?? `simulation-${seed}`);
    settings = {
      tenants,
      years,
      seed,
      faults,
      sabotage: values.sabotage,
      out,
      keepDatabase: values['keep-database'] === true,
      progress: values['no-progress'] !== true,
    };
  } catch (error) {
    // parseArgs' own errors (an unknown flag, a missing value) are usage errors too; an unknown flag is
    // named in our words (parseArgs suggests positional arguments, which this command refuses).
    const unknown = /^Unknown option '([^']+)'/.exec((error as Error).message)?.[1];
    process.stderr.write(`${unknown ? `${unknown}: no such flag` : (error as Error).message}\n\n${SIMULATE_USAGE}`);
    return 2;
  }
  const plan = generateFleet({ tenants: settings.tenants, years: settings.years, seed: settings.seed, faults: settings.faults });
  process.stderr.write(
    `simulating ${plan.tenants.length} tenants over ${settings.years} year${settings.years === 1 ? '' : 's'} (${plan.facts.length} facts, seed ${settings.seed}` +
      `${settings.faults.length > 0 ? `, faults ${settings.faults.join(',')}` : ''}${settings.sabotage ? `, sabotage ${settings.sabotage}` : ''}) into ${settings.out}\n`,
  );
  // Started once the database line is out: a bar redraws its own line.
  let bar: ReturnType<typeof simulationProgressBar> | undefined;
  // Ctrl-C, a stop or a hang-up: the run ends at its next step, stopping the engine and dropping its database; a
  // second signal exits at once.
  const interrupt = new AbortController();
  let database: string | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) {
      // The exit kills the engine (engine-child's exit hook) and an embedded server (its own hook);
      // a database on DATABASE_URL's server stays.
      process.stderr.write(`${signal} again: the engine was killed${database ? `; ${database} was not dropped` : ''}\n`);
      process.exit(130);
    }
    process.stderr.write(`\n${signal}: stopping the engine and cleaning up (again to quit at once)\n`);
    interrupt.abort();
  };
  // SIGHUP too: a closed terminal or dropped session would otherwise kill the simulator at once and
  // leave the engine (in its own process group) running on the run's database.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const signal of signals) process.on(signal, onSignal);
  let result;
  try {
    result = await runSimulation({
      signal: interrupt.signal,
      plan,
      outDir: settings.out,
      databaseUrl: process.env.DATABASE_URL || undefined,
      keepDatabase: settings.keepDatabase,
      ...(settings.sabotage ? { sabotage: settings.sabotage } : {}),
      onDatabase: (description) => {
        database = description;
        process.stderr.write(`on ${description}\n`);
        if (settings.progress) bar = simulationProgressBar(plan.start, plan.end);
      },
      onStep: (p) => bar?.update(p),
    });
  } catch (error) {
    if (!(error instanceof SimulationInterruptedError)) throw error;
    bar?.stop();
    process.stderr.write(`${error.message}; the engine was stopped and the run's database ${settings.keepDatabase ? 'kept' : 'dropped'}; no report\n`);
    return 130;
  } finally {
    bar?.stop();
    for (const signal of signals) process.off(signal, onSignal);
  }
  const report = writeSimulationReport(settings.out, { tenants: settings.tenants, years: settings.years, seed: settings.seed, faults: settings.faults }, result);
  const serverErrors = result.unexpectedAnswers.filter((u) => u.status.split('+').some((s) => Number(s) >= 500));
  for (const v of result.violations.slice(0, 20)) process.stdout.write(`VIOLATION ${v.promise} ${v.tenantId}: expected ${v.expected}; actual ${v.actual} (at ${v.detectedAt})\n`);
  for (const u of serverErrors) process.stdout.write(`SERVER ERROR ${u.kind} answered ${u.status} ×${u.count}: ${u.example}\n`);
  process.stdout.write(
    `${result.violations.length} violation(s); ${result.eventsAppended} events; wall ${duration(result.wallMs)}; ` +
      `closest shred to its deadline ${duration(result.margins.shredDeadlineMs)}; longest re-protection ${duration(result.margins.longestReprotectionMs)}\n` +
      `${settings.keepDatabase && process.env.DATABASE_URL ? `kept ${result.database} (the run's master key is not kept: it can be read and rebuilt, not served)\n` : ''}` +
      `report: ${report.md}\n`,
  );
  return result.violations.length > 0 || serverErrors.length > 0 ? 1 : 0;
}

