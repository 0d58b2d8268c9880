// The result table on stdout and test/bench/results/latest.json.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PairedSample } from './measure.js';

export interface WorkloadResult {
  readonly workload: string;
  readonly sample: PairedSample;
  /** Minimum Lethe/raw ratio, or undefined when the workload is only reported. */
  readonly target?: number;
}

export interface BenchReport {
  readonly server: { readonly source: string; readonly address: string; readonly version: string; readonly database: string };
  readonly settings: Record<string, string | number>;
  readonly results: readonly WorkloadResult[];
}

const ratio = (r: WorkloadResult) => r.sample.lethe.median / r.sample.raw.median;
const verdict = (r: WorkloadResult) => (r.target === undefined ? 'report' : ratio(r) >= r.target ? 'PASS' : 'FAIL');
const int = (n: number) => Math.round(n).toLocaleString('en-US');

export function printTable(results: readonly WorkloadResult[], out: (line: string) => void): void {
  const rows = [
    ['workload', 'raw ev/s', 'Lethe ev/s', 'Lethe/raw', 'target', 'result'],
    ...results.map((r) => [
      r.workload,
      int(r.sample.raw.median),
      int(r.sample.lethe.median),
      ratio(r).toFixed(2),
      r.target === undefined ? '-' : `>= ${r.target.toFixed(2)}`,
      verdict(r),
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  out(line(rows[0]));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows.slice(1)) out(line(row));
}

/** The repository root: the nearest folder above this file with a package.json (works from dist/ too). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the bench');
    dir = parent;
  }
  return dir;
}

/** Writes `body`, after the finish time and Node version, as test/bench/results/<name>; answers the path. */
export function writeNamedJson(name: string, body: object): string {
  const folder = join(projectRoot(), 'test', 'bench', 'results');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, name);
  writeFileSync(file, `${JSON.stringify({ finishedAt: new Date().toISOString(), node: process.version, ...body }, null, 2)}\n`);
  return file;
}

export function writeJson(report: BenchReport): string {
  return writeNamedJson('latest.json', {
    server: report.server,
    settings: report.settings,
    results: report.results.map((r) => ({
      workload: r.workload,
      raw: { medianEventsPerSecond: Math.round(r.sample.raw.median), runs: r.sample.raw.runs.map(Math.round) },
      lethe: { medianEventsPerSecond: Math.round(r.sample.lethe.median), runs: r.sample.lethe.runs.map(Math.round) },
      ratio: Number(ratio(r).toFixed(3)),
      target: r.target ?? null,
      result: verdict(r),
    })),
  });
}

export function missedTargets(results: readonly WorkloadResult[]): string[] {
  return results.filter((r) => verdict(r) === 'FAIL').map((r) => r.workload);
}
