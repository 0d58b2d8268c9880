// The monitoring files in deploy/ against the engine's metrics: promtool accepts the alert rules and
// passes their unit tests (skipped, saying so, without promtool); every metric, label and label value
// the rules and the Grafana dashboard name is one /metrics exposes (metric-catalogue.ts, and the
// registry itself for prom-client's process metrics); every alert has a severity, a summary, a
// description and a runbook_url into docs/operations.md whose anchor exists there.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EngineMetrics } from '../../apps/engine/src/metrics/engine-metrics.js';
import { METRIC_CATALOGUE, seriesNames, type MetricSpec } from '../../apps/engine/src/metrics/metric-catalogue.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ALERTS = join(ROOT, 'deploy/prometheus/alerts.yml');
const ALERT_TESTS = join(ROOT, 'deploy/prometheus/alerts.test.yml');
const DASHBOARD = join(ROOT, 'deploy/grafana/lethe.json');
const RUNBOOK = join(ROOT, 'docs/operations.md');

export const PROMTOOL_INSTALL_HINT = "install Debian's prometheus package (apt-get install prometheus) for promtool";

function promtoolPath(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin'];
  return dirs.map((dir) => join(dir, 'promtool')).find((path) => existsSync(path));
}

const PROMTOOL = promtoolPath();
if (!PROMTOOL) console.warn(`test/deploy/prometheus-rules.spec.ts: promtool not found, promtool checks SKIPPED: ${PROMTOOL_INSTALL_HINT}`);
// Without promtool these show as skipped in the summary, never as passed.
const itWithPromtool = PROMTOOL ? it : it.skip;

function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync(PROMTOOL!, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('promtool', () => {
  itWithPromtool('accepts the alert rules', () => {
    const run = promtool('check', 'rules', ALERTS);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  itWithPromtool('passes the unit tests of every alert', () => {
    const run = promtool('test', 'rules', ALERT_TESTS);
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});

/** The PromQL of every rule (`expr:` on one line each; a block scalar would hide one from this test). */
function ruleExpressions(yaml: string): string[] {
  expect(yaml).not.toMatch(/^\s*expr:\s*[|>]/m);
  return [...yaml.matchAll(/^\s*expr:\s*(.+)$/gm)].map((m) => m[1].trim());
}

interface Alert {
  readonly name: string;
  readonly block: string;
}

function alerts(yaml: string): Alert[] {
  const starts = [...yaml.matchAll(/^\s*- alert:\s*(\S+)\s*$/gm)];
  return starts.map((m, i) => ({ name: m[1], block: yaml.slice(m.index, starts[i + 1]?.index ?? yaml.length) }));
}

/** Every `targets[].expr` of the dashboard, panels in rows included. */
function dashboardExpressions(dashboard: { panels?: unknown[] }): string[] {
  const out: string[] = [];
  const walk = (panels: unknown[] | undefined) => {
    for (const panel of (panels ?? []) as { targets?: { expr?: string }[]; panels?: unknown[] }[]) {
      for (const target of panel.targets ?? []) if (target.expr) out.push(target.expr);
      walk(panel.panels);
    }
  };
  walk(dashboard.panels);
  return out;
}

/** Each `lethe_…` series named in `expr`, with the label matchers of its selector. */
function selectors(expr: string): { series: string; matchers: { label: string; op: string; value: string }[] }[] {
  return [...expr.matchAll(/\b(lethe_[a-z0-9_]+)(?:\{([^}]*)\})?/g)].map((m) => ({
    series: m[1],
    matchers: [...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)].map((x) => ({ label: x[1], op: x[2], value: x[3] })),
  }));
}

/** Labels named in `by (...)` / `without (...)`. */
function groupingLabels(expr: string): string[] {
  return [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) => m[1].split(',').map((l) => l.trim()).filter(Boolean));
}

const TARGET_LABELS = ['job', 'instance'];

/** What a series name of the exposition belongs to: a catalogue metric, or one of prom-client's defaults. */
function exposedSeries(): Map<string, MetricSpec | null> {
  const exposed = new Map<string, MetricSpec | null>();
  for (const spec of METRIC_CATALOGUE) for (const name of seriesNames(spec)) exposed.set(name, spec);
  // prom-client's process and Node.js metrics, from the engine's own registry (no database needed).
  const registry = new EngineMetrics().registry;
  for (const metric of registry.getMetricsAsArray()) {
    const m = metric as unknown as { name: string; type?: string };
    if (exposed.has(m.name)) continue;
    for (const name of seriesNames({ name: m.name, type: (m.type as MetricSpec['type']) ?? 'gauge' })) exposed.set(name, null);
  }
  return exposed;
}

function problemsIn(where: string, expressions: readonly string[], exposed: Map<string, MetricSpec | null>): string[] {
  const problems: string[] = [];
  for (const expr of expressions) {
    const named = selectors(expr);
    if (named.length === 0) problems.push(`${where}: no lethe_ metric in ${expr}`);
    for (const { series, matchers } of named) {
      if (!exposed.has(series)) {
        problems.push(`${where}: ${series} is not exposed by /metrics (${expr})`);
        continue;
      }
      const spec = exposed.get(series);
      if (!spec) continue;
      const labels = new Set([...spec.labels, ...TARGET_LABELS, ...(series.endsWith('_bucket') ? ['le'] : [])]);
      for (const { label, op, value } of matchers) {
        if (!labels.has(label)) problems.push(`${where}: ${series} has no label ${label} (${expr})`);
        const values = spec.values?.[label];
        if (!values || value.includes('$')) continue;
        const named = op === '=~' || op === '!~' ? value.split('|') : [value];
        for (const v of named) if (!values.includes(v)) problems.push(`${where}: ${series}{${label}="${v}"}: not a value /metrics gives ${label}`);
      }
    }
    const allLabels = new Set([...TARGET_LABELS, 'le', ...METRIC_CATALOGUE.flatMap((s) => s.labels)]);
    for (const label of groupingLabels(expr)) if (!allLabels.has(label)) problems.push(`${where}: grouping by unknown label ${label} (${expr})`);
  }
  return problems;
}

describe('the rules and the dashboard name only what /metrics exposes', () => {
  const exposed = exposedSeries();

  it('knows the exposition (the catalogue and the process defaults)', () => {
    expect(exposed.has('lethe_shreds')).toBe(true);
    expect(exposed.has('lethe_vault_request_duration_seconds_bucket')).toBe(true);
    expect(exposed.has('lethe_process_resident_memory_bytes')).toBe(true);
    // The checker itself catches a wrong name, label and value.
    expect(problemsIn('self-test', ['max(lethe_shred{status="verified"})', 'max(lethe_shreds{state="verified"})', 'max(lethe_shreds{status="done"})'], exposed)).toHaveLength(3);
  });

  it('alerts.yml', () => {
    const expressions = ruleExpressions(readFileSync(ALERTS, 'utf8'));
    expect(expressions.length).toBeGreaterThanOrEqual(10);
    expect(problemsIn('alerts.yml', expressions, exposed)).toEqual([]);
  });

  it('deploy/grafana/lethe.json', () => {
    const expressions = dashboardExpressions(JSON.parse(readFileSync(DASHBOARD, 'utf8')));
    expect(expressions.length).toBeGreaterThanOrEqual(15);
    expect(problemsIn('lethe.json', expressions, exposed)).toEqual([]);
  });
});

/** GitHub's anchor of a Markdown heading. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

describe('every alert is actionable', () => {
  const yaml = readFileSync(ALERTS, 'utf8');
  const anchors = new Set([...readFileSync(RUNBOOK, 'utf8').matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => anchorOf(m[1])));

  it('has a severity, a summary, a description and a runbook in docs/operations.md', () => {
    const problems: string[] = [];
    const list = alerts(yaml);
    expect(list.length).toBeGreaterThanOrEqual(10);
    for (const { name, block } of list) {
      if (!/^\s*severity:\s*(page|ticket)\s*$/m.test(block)) problems.push(`${name}: no severity page|ticket`);
      for (const key of ['summary', 'description']) if (!new RegExp(`^\\s*${key}:\\s*\\S`, 'm').test(block)) problems.push(`${name}: no ${key}`);
      const runbook = /^\s*runbook_url:\s*(\S+)\s*$/m.exec(block)?.[1];
      if (!runbook) problems.push(`${name}: no runbook_url`);
      else if (!runbook.startsWith('docs/operations.md#')) problems.push(`${name}: runbook_url ${runbook} is not docs/operations.md#<anchor> (nothing may point outside the repository)`);
      else if (!anchors.has(runbook.split('#')[1])) problems.push(`${name}: docs/operations.md has no heading #${runbook.split('#')[1]}`);
    }
    expect(problems).toEqual([]);
  });

  it('is listed in docs/operations.md with every metric', () => {
    const runbook = readFileSync(RUNBOOK, 'utf8');
    expect(alerts(yaml).filter(({ name }) => !runbook.includes(`[${name}]`)).map((a) => a.name)).toEqual([]);
    expect(METRIC_CATALOGUE.filter((spec) => !runbook.includes(`| \`${spec.name}\` |`)).map((spec) => spec.name)).toEqual([]);
  });

  it('has a unit test in alerts.test.yml', () => {
    const tests = readFileSync(ALERT_TESTS, 'utf8');
    const untested = alerts(yaml).filter(({ name }) => !new RegExp(`alertname:\\s*${name}\\s*$`, 'm').test(tests));
    expect(untested.map((a) => a.name)).toEqual([]);
  });
});
