// Row 2 of `npm run bench:scale`: the dashboard's reads with N tenants in the read model. The read
// model is seeded by copying the rows the engine projected for two real tenants (one active, one
// shredded and verified; clone-rows.ts), two active for one shredded: setup, not measured. Each query
// then takes 200 requests/s for DURATION_S from a second process (autocannon's own CLI, latencies
// corrected for coordinated omission); p50 and p99 against GET /healthz (a route doing nothing)
// at the same rate, in the same run. Target: p99 <= 50 ms. The reads are measured once every
// processor has caught up with the log: work the storm before them might leave behind is the storm's
// cost, not the dashboard's (at 10,000 tenants none was left: the wait took 0.0 s).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type pg from 'pg';
import { cloneRows } from './clone-rows.js';
import type { ScaleRow } from './scale-report.js';
import type { ScaleEngine } from './scale-engine.js';
import { ACTIVE_TEMPLATE, stormTenant } from './shred-storm.js';

const RATE = 200;
const DURATION_S = Number(process.env.SCALE_READ_SECONDS ?? 20);
const CONNECTIONS = 10;
export const P99_TARGET_MS = 50;

interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
}

const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/** One autocannon run in its own process; its JSON result's latencies (ms). */
function load(url: string, token: string | undefined, seconds: number): Promise<Latency> {
  const args = [AUTOCANNON, '-R', String(RATE), '-d', String(seconds), '-c', String(CONNECTIONS), '-j'];
  if (token) args.push('-H', `authorization=Bearer ${token}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err.slice(0, 500)}`));
      const r = JSON.parse(out) as { latency: { p50: number; p99: number }; requests: { total: number }; non2xx: number; errors: number };
      resolve({ p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, non2xx: r.non2xx, errors: r.errors });
    });
  });
}

async function seed(pool: pg.Pool, tenants: number, say: (line: string) => void): Promise<void> {
  const existing = Number((await pool.query<{ n: string }>('select count(*) as n from rm_tenants')).rows[0].n);
  const missing = Math.max(0, tenants - existing);
  const shredded = Math.floor(missing / 3);
  const active = missing - shredded;
  const copies = [
    { template: ACTIVE_TEMPLATE, to: `'seed-a-' || lpad(g::text, 6, '0')`, count: active, tables: ['rm_tenants', 'rm_key_rings', 'rm_key_versions'] },
    { template: stormTenant(1), to: `'seed-v-' || lpad(g::text, 6, '0')`, count: shredded, tables: ['rm_tenants', 'rm_shreds', 'rm_key_rings', 'rm_key_versions'] },
  ];
  for (const copy of copies) {
    if (copy.count === 0) continue;
    for (const table of copy.tables) {
      await cloneRows(pool, { table, where: `t.tenant_id = '${copy.template}'`, from: copy.template, to: copy.to, first: 1, last: copy.count });
    }
  }
  await pool.query('analyze rm_tenants, rm_shreds, rm_key_rings, rm_key_versions');
  const counts = await pool.query<{ t: string; s: string; r: string }>(
    'select (select count(*) from rm_tenants) as t, (select count(*) from rm_shreds) as s, (select count(*) from rm_key_rings) as r',
  );
  say(`  setup: read model holds ${counts.rows[0].t} tenants, ${counts.rows[0].s} shreds, ${counts.rows[0].r} key rings`);
}

/** Waits (up to `timeoutMs`) until the lowest processor checkpoint is at the log's head; says how long that took. */
async function untilProcessorsCaughtUp(pool: pg.Pool, say: (line: string) => void, timeoutMs = 900_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const { rows } = await pool.query<{ head: string; low: string | null }>(
      'select (select coalesce(max(global_position), 0) from lethe_events)::text as head, (select min(position) from lethe_checkpoints)::text as low',
    );
    const behind = BigInt(rows[0].head) - BigInt(rows[0].low ?? rows[0].head);
    if (behind <= 0n) return say(`  setup: every processor caught up with the log after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (Date.now() - started > timeoutMs) return say(`  setup: a processor is still ${behind} events behind the log after ${timeoutMs / 1000} s; measuring anyway`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function dashboardReads(engine: ScaleEngine, pool: pg.Pool, tenants: number, say: (line: string) => void): Promise<ScaleRow[]> {
  await seed(pool, tenants, say);
  await untilProcessorsCaughtUp(pool, say);
  const reader = engine.tokens['ops-reader'];
  const queries = [
    { name: 'tenant list', path: '/v1/tenants' },
    { name: 'shred list', path: '/v1/shreds?status=verified' },
    { name: 'compliance', path: '/v1/compliance' },
  ];
  for (const q of queries) {
    const res = await engine.api('GET', q.path, reader);
    if (res.status !== 200 || !Array.isArray(res.body.items ?? res.body.P1)) throw new Error(`${q.path}: ${res.status} ${res.text.slice(0, 200)}`);
  }
  // Warm-up of every route (JIT, connection pool, plans), then the measured runs.
  for (const path of ['/healthz', ...queries.map((q) => q.path)]) await load(`${engine.url}${path}`, reader, 3);
  const baseline = await load(`${engine.url}/healthz`, undefined, DURATION_S);
  say(`  GET /healthz: p50 ${baseline.p50} ms, p99 ${baseline.p99} ms (${baseline.requests} requests)`);
  const rows: ScaleRow[] = [];
  for (const q of queries) {
    const l = await load(`${engine.url}${q.path}`, reader, DURATION_S);
    say(`  GET ${q.path}: p50 ${l.p50} ms, p99 ${l.p99} ms (${l.requests} requests, ${l.non2xx} not 2xx, ${l.errors} errors)`);
    const ok = l.non2xx === 0 && l.errors === 0;
    rows.push({
      row: `dashboard ${q.name} p99 (p50 ${l.p50} ms), ${tenants.toLocaleString('en-US')} tenants, ${RATE} req/s`,
      measured: l.p99,
      baseline: baseline.p99,
      unit: 'ms',
      ratio: l.p99 / Math.max(baseline.p99, 0.001),
      target: `p99 <= ${P99_TARGET_MS} ms`,
      pass: ok && l.p99 <= P99_TARGET_MS,
      baselineNote: `GET /healthz at the same rate: p50 ${baseline.p50} ms, p99 ${baseline.p99} ms; GET ${q.path} first page (100 items)${ok ? '' : `; ${l.non2xx} answers not 2xx, ${l.errors} errors`}`,
    });
  }
  return rows;
}
