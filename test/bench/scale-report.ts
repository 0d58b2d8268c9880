// The scale bench's rows: each measured figure beside its same-run baseline, the ratio and the target.
import { writeNamedJson } from './report.js';

export interface ScaleRow {
  readonly row: string;
  readonly measured: number;
  readonly baseline: number | null;
  readonly unit: string;
  /** measured ÷ baseline as the target reads it (or null when the target is absolute). */
  readonly ratio: number | null;
  /** The target in words, e.g. `>= 0.50 of limit`, `<= 50 ms`. */
  readonly target: string;
  readonly pass: boolean;
  /** What the baseline is. */
  readonly baselineNote: string;
}

const num = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2));

export function printScaleTable(rows: readonly ScaleRow[], out: (line: string) => void): void {
  const cells = [
    ['row', 'measured', 'baseline', 'ratio', 'target', 'result'],
    ...rows.map((r) => [
      r.row,
      `${num(r.measured)} ${r.unit}`,
      r.baseline === null ? '-' : `${num(r.baseline)} ${r.unit}`,
      r.ratio === null ? '-' : r.ratio.toFixed(2),
      r.target,
      r.pass ? 'PASS' : 'FAIL',
    ]),
  ];
  const widths = cells[0].map((_, c) => Math.max(...cells.map((row) => row[c].length)));
  const line = (row: string[]) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  out(line(cells[0]));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells.slice(1)) out(line(row));
  out('');
  for (const r of rows) out(`  ${r.row}: baseline = ${r.baselineNote}`);
}

export function writeScaleJson(server: object, settings: Record<string, number | string>, rows: readonly ScaleRow[]): string {
  return writeNamedJson('scale-latest.json', { server, settings, results: rows });
}
