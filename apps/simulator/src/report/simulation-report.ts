// The end of a run in two forms: report.json for machines (every figure) and report.md for people
// (what ran, whether every promise held, the closest margins, what it cost).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Margins } from '../fleet/fleet-facts.js';
import type { SimulationResult } from '../driver/simulation.js';

export interface SimulationRunInfo {
  /** The command's settings as given (tenants, years, seed, faults). */
  readonly tenants: number;
  readonly years: number;
  readonly seed: number;
  readonly faults: readonly string[];
}

const HOUR_MS = 3_600_000;
const MB = 1024 * 1024;

/** A duration in the largest unit that keeps it readable (e.g. "3.2 d", "41 min"). */
export function duration(ms: number | null): string {
  if (ms === null) return 'n/a';
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (abs >= 24 * HOUR_MS) return `${sign}${(abs / (24 * HOUR_MS)).toFixed(2)} d`;
  if (abs >= HOUR_MS) return `${sign}${(abs / HOUR_MS).toFixed(2)} h`;
  if (abs >= 60_000) return `${sign}${(abs / 60_000).toFixed(1)} min`;
  return `${sign}${(abs / 1000).toFixed(1)} s`;
}

const megabytes = (bytes: number | null) => (bytes === null ? 'n/a' : `${Math.round(bytes / MB)} MB`);

const MARGIN_ROWS: readonly [keyof Margins, string, string][] = [
  ['shredDeadlineMs', 'P4/P5 closest shred to its deadline', 'time left between verification and the 5-working-day deadline'],
  ['longestReprotectionMs', 'P2 longest re-protection', 'from a new key version to the last database on it (limit 24 h)'],
  ['rotationMs', 'P1 closest rotation', 'time left between a version reaching its rotation period and the rotation (negative only inside a vault outage and its recovery allowance)'],
  ['retirementMs', 'P3 closest retirement', 'time between a version becoming retirable and its retirement (never negative)'],
];

/**
 * How often each fault happened in a run: a small fleet or a short run may give a fault it was asked
 * for no occasion (no tenant terminated late), and "every promise held" then says nothing about it.
 */
export function faultOccasions(r: SimulationResult): Readonly<Record<string, { readonly count: number; readonly what: string }>> {
  return {
    vault: { count: r.plan.vaultOutages, what: 'vault outages' },
    crash: { count: r.crashes, what: 'engine kills' },
    duplicates: { count: r.counts.duplicateDeliveries ?? 0, what: 'duplicate deliveries' },
    late: { count: r.counts.lateNotices ?? 0, what: 'late notices' },
  };
}

/** Writes report.json and report.md into `dir`; returns their paths. */
export function writeSimulationReport(dir: string, run: SimulationRunInfo, result: SimulationResult): { json: string; md: string } {
  const json = join(dir, 'report.json');
  const md = join(dir, 'report.md');
  writeFileSync(json, `${JSON.stringify({ run, ...result, faultOccasions: faultOccasions(result) }, null, 2)}\n`);
  writeFileSync(md, renderMarkdown(run, result));
  return { json, md };
}

/** `1 year`, `2 years`: the report is read by people. */
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function renderMarkdown(run: SimulationRunInfo, r: SimulationResult): string {
  const lines: string[] = [];
  const verdict = r.violations.length === 0 ? 'every promise held' : `${r.violations.length} violation(s)`;
  lines.push(`# Fleet simulation: ${verdict}`, '');
  lines.push(
    `${count(run.tenants, 'tenant')} × ${count(run.years, 'year')}, seed ${run.seed}, faults: ${run.faults.length > 0 ? run.faults.join(', ') : 'none'}` +
      `${r.sabotage ? `, sabotage: ${r.sabotage}` : ''}; simulated ${r.plan.start} to ${r.plan.end} on ${r.database}.`,
    '',
  );
  const occasions = faultOccasions(r);
  const idle = run.faults.filter((f) => occasions[f]?.count === 0);
  if (idle.length > 0) {
    lines.push(
      `Faults asked for that this fleet gave no occasion to: ${idle.map((f) => `${f} (0 ${occasions[f].what})`).join(', ')}; ` +
        'the promises were not tried against them. A larger fleet, more years or another seed does.',
      '',
    );
  }
  lines.push('## Violations', '');
  if (r.violations.length === 0) lines.push('None.', '');
  else {
    lines.push('| tenant | promise | expected | actual | detected at |', '|---|---|---|---|---|');
    for (const v of r.violations.slice(0, 200)) lines.push(`| ${v.tenantId} | ${v.promise} | ${cell(v.expected)} | ${cell(v.actual)} | ${v.detectedAt} |`);
    if (r.violations.length > 200) lines.push('', `… and ${r.violations.length - 200} more in report.json.`);
    lines.push('');
  }
  lines.push('## Margins', '', '| promise | closest | meaning |', '|---|---|---|');
  for (const [key, name, meaning] of MARGIN_ROWS) lines.push(`| ${name} | ${duration(r.margins[key])} | ${meaning} |`);
  lines.push('');
  lines.push('## Cost', '', '| figure | value |', '|---|---|');
  lines.push(`| wall time | ${duration(r.wallMs)} |`);
  lines.push(`| wall time per simulated year | ${r.wallMsPerYear.map((ms) => duration(ms)).join(', ')} |`);
  const phases = r.wallMsByPhase;
  lines.push(
    `| of which: facts / settling / oracle / clock and timers / vacuum | ${duration(phases.facts)} / ${duration(phases.settle)} / ${duration(phases.oracle)} / ${duration(phases.clock)} / ${duration(phases.vacuum)} |`,
  );
  lines.push(
    `| vacuum | ${r.standInVacuums === null ? "the server's autovacuum" : `the server's autovacuum is off: the simulator vacuumed a table ${r.standInVacuums} times, at autovacuum's default trigger`} |`,
  );
  lines.push(`| events appended | ${r.eventsAppended} |`);
  lines.push(`| steps of the clock | ${r.steps} |`);
  const reasons = Object.entries(r.stepsByReason).sort(([, a], [, b]) => b - a);
  lines.push(`| steps by what the clock stopped on | ${reasons.map(([k, n]) => `${k} ${n}`).join(', ')} |`);
  lines.push(`| engine crashes (kill -9) and restarts | ${r.crashes} |`);
  lines.push(`| peak RSS, engine | ${megabytes(r.peakRss.engine)} |`);
  lines.push(`| peak RSS, simulator and oracle | ${megabytes(r.peakRss.simulator)} |`);
  lines.push('');
  lines.push('## Counts', '', '| what | count |', '|---|---|');
  lines.push(`| facts in the plan | ${r.plan.facts} |`, `| facts retried after a 503 | ${r.factRetries} |`);
  for (const [k, n] of Object.entries(r.counts).sort(([a], [b]) => a.localeCompare(b))) lines.push(`| ${k} | ${n} |`);
  lines.push('');
  lines.push('## Unexpected answers', '');
  if (r.unexpectedAnswers.length === 0) lines.push('None: every call was answered as the API promises.', '');
  else {
    lines.push('| fact | status | count | example |', '|---|---|---|---|');
    for (const u of r.unexpectedAnswers) lines.push(`| ${u.kind} | ${u.status} | ${u.count} | ${cell(u.example)} |`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
