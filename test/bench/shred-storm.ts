// Row 1 of `npm run bench:scale`: N tenants terminated at the same instant; the manual clock moves
// past their executeAt and the bench times until every shred is verified (ShredVerified in the log).
// Baseline: raw single-event appends/s on the same PostgreSQL in the same run (raw-baseline.ts, one
// writer, as the engine's deadline poller fires one deadline after another), divided by the events
// one shred appends (counted in this run) = the shreds/s the database allows. Onboarding and
// terminating are setup, not measured.
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { appendPass } from './append-load.js';
import { rawAppend } from './raw-baseline.js';
import type { ScaleRow } from './scale-report.js';
import { inParallel, waitFor, type ScaleEngine } from './scale-engine.js';

/** Monday 21 Dec 2026 in London: executeAt is the end of the 2nd working day after (23 Dec). */
export const STORM_CLOCK_START = '2026-12-21T09:00:00Z';
const EFFECTIVE_AT = '2026-12-21T10:00:00Z';
const PAST_EXECUTE_AT = '2026-12-24T12:00:00Z';
const SETUP_CONCURRENCY = 8;
const RAW_PASS_MS = 5_000;
export const STORM_TARGET = 0.5;
export const RSS_TARGET_MB = 400;

export const stormTenant = (i: number) => `storm-${String(i).padStart(6, '0')}`;
/** An onboarded tenant never terminated: the template of active tenants for the dashboard row. */
export const ACTIVE_TEMPLATE = 'active-template';

async function count(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<number> {
  return Number((await pool.query<{ n: string }>(sql, params)).rows[0].n);
}

async function head(pool: pg.Pool): Promise<number> {
  return count(pool, 'select coalesce(max(global_position), 0) as n from lethe_events');
}

async function settledHead(pool: pg.Pool, quietMs = 2_000): Promise<number> {
  let last = await head(pool);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = await head(pool);
    if (now === last) return now;
    last = now;
  }
}

function onboarding(tenantId: string) {
  return { tenantId, jurisdiction: 'GB-ENG', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }] };
}

export async function shredStorm(engine: ScaleEngine, pool: pg.Pool, tenants: number, say: (line: string) => void): Promise<ScaleRow[]> {
  const { api, tokens } = engine;
  const ids = Array.from({ length: tenants }, (_, i) => stormTenant(i + 1));
  let t = performance.now();
  await inParallel([ACTIVE_TEMPLATE, ...ids], SETUP_CONCURRENCY, async (tenantId) => {
    const res = await api('POST', '/v1/tenants', tokens.operator, onboarding(tenantId));
    if (res.status !== 201) throw new Error(`onboarding ${tenantId}: ${res.status} ${res.text}`);
  });
  await waitFor('every key ring opened', 600_000, async () => (await count(pool, `select count(*) as n from lethe_events where event_type = 'KeyRingOpened'`)) === tenants + 1, 1_000);
  say(`  setup: ${tenants + 1} tenants onboarded in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  t = performance.now();
  await inParallel(ids, SETUP_CONCURRENCY, async (tenantId, i) => {
    const res = await api('POST', `/v1/tenants/${tenantId}/terminations`, tokens['contract-system'], {
      terminationId: `term-${i + 1}`,
      contractId: `contract-${i + 1}`,
      effectiveAt: EFFECTIVE_AT,
      reason: 'contract ended',
    });
    if (res.status !== 202) throw new Error(`terminating ${tenantId}: ${res.status} ${res.text}`);
  });
  await waitFor('every shred step scheduled', 600_000, async () => (await count(pool, `select count(*) as n from lethe_deadlines where kind = 'shred-step' and status = 'pending'`)) === tenants, 1_000);
  const before = await settledHead(pool);
  say(`  setup: ${tenants} terminations effective ${EFFECTIVE_AT} in ${((performance.now() - t) / 1000).toFixed(0)} s`);

  // The limit the database sets, measured now on the idle engine's server.
  await pool.query('create table if not exists raw_events (like lethe_events including all)');
  await appendPass(rawAppend(pool), 1, 1_000);
  const rawBefore = await appendPass(rawAppend(pool), 1, RAW_PASS_MS);
  const raw8PerSecond = await appendPass(rawAppend(pool), 8, RAW_PASS_MS);
  await pool.query('truncate raw_events');
  say(`  raw single-event appends: ${Math.round(rawBefore)}/s (1 writer), ${Math.round(raw8PerSecond)}/s (8 writers)`);

  const start = performance.now();
  // The move fires what fell due and answers when this instance has drained it: not awaited, the
  // log says when the shreds are verified.
  const move = api('POST', '/v1/admin/clock', tokens.admin, { now: PAST_EXECUTE_AT }).catch((error: unknown) => ({ status: 0, text: String(error) }));
  await waitFor(
    'every shred verified',
    3_600_000,
    async () => (await count(pool, `select count(*) as n from lethe_events where global_position > $1 and event_type = 'ShredVerified'`, [before])) === tenants,
    200,
  );
  const seconds = (performance.now() - start) / 1000;
  const moved = await move;
  // A long drain outlasts fetch's 300 s wait for an answer; the engine drains on regardless.
  if (moved.status !== 200) say(`  (no answer to the clock move: ${moved.text.slice(0, 200)}; the drain went on)`);
  const after = await settledHead(pool);
  // Again after the storm: the machine is noisy, and the higher rate is the stricter limit.
  const rawAfter = await appendPass(rawAppend(pool), 1, RAW_PASS_MS);
  await pool.query('truncate raw_events');
  const rawPerSecond = Math.max(rawBefore, rawAfter);
  say(`  raw single-event appends after the storm: ${Math.round(rawAfter)}/s (1 writer)`);
  const eventsPerShred = (after - before) / tenants;
  const limit = rawPerSecond / eventsPerShred;
  const shredsPerSecond = tenants / seconds;
  const rss = engine.peakRssMb();
  say(`  storm: ${tenants} shreds verified in ${seconds.toFixed(1)} s; ${eventsPerShred.toFixed(1)} events per shred (certificate included)`);
  return [
    {
      row: `shred storm, ${tenants.toLocaleString('en-US')} tenants at one instant`,
      measured: shredsPerSecond,
      baseline: limit,
      unit: 'shreds/s',
      ratio: shredsPerSecond / limit,
      target: `>= ${STORM_TARGET.toFixed(2)} of limit`,
      pass: shredsPerSecond / limit >= STORM_TARGET,
      baselineNote: `raw single-event appends ${Math.round(rawPerSecond)}/s (1 writer, the higher of a pass before and one after the storm) ÷ ${eventsPerShred.toFixed(1)} events per shred; all verified in ${seconds.toFixed(1)} s`,
    },
    {
      row: 'shred storm, engine peak RSS',
      measured: rss,
      baseline: null,
      unit: 'MB',
      ratio: null,
      target: `<= ${RSS_TARGET_MB} MB`,
      pass: rss <= RSS_TARGET_MB,
      baselineNote: 'absolute target (VmHWM of the engine process over the whole run so far)',
    },
  ];
}
