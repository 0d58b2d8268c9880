// Row 3 of `npm run bench:scale`: rebuilding every read model from the log with the code of
// `lethe projections rebuild` (rebuildProjections over readModels()), against a raw keyset read of
// the same events in the same run (raw-baseline.ts). The log is grown to N events by copying the
// real lifecycles the shred storm left (onboarded, key ring opened, terminated, shredded, verified,
// certified; clone-rows.ts) as new tenants, in bulk: setup, not measured. Target: >= 0.5 of raw.
import pg from 'pg';
import { PostgresEventStore } from '@lethe/eventstore';
import { rebuildProjections } from '@lethe/processors';
import { readModels } from '@lethe/readmodel';
import { cloneRows } from './clone-rows.js';
import { rawCatchUp } from './raw-baseline.js';
import type { ScaleRow } from './scale-report.js';
import { stormTenant } from './shred-storm.js';

export const REBUILD_TARGET = 0.5;
/** The streams of the storm's tenants (tenant-, keys-, contract-… followed by the tenant id), not the copies. */
const TEMPLATE_STREAMS = `t.stream_id ~ '-storm-[0-9]{6}$' and t.stream_id !~ '-c[0-9]{3}-storm-'`;

const count = async (pool: pg.Pool, sql: string) => Number((await pool.query<{ n: string }>(sql)).rows[0].n);

async function growLog(pool: pg.Pool, events: number, say: (line: string) => void): Promise<number> {
  const perCopy = await count(pool, `select count(*) as n from lethe_events t where ${TEMPLATE_STREAMS}`);
  const templateTenants = await count(pool, `select count(distinct substring(t.stream_id from 'storm-[0-9]{6}$')) as n from lethe_events t where ${TEMPLATE_STREAMS}`);
  if (perCopy === 0) throw new Error('no storm tenants to copy');
  const perTenant = perCopy / templateTenants;
  let total = await count(pool, 'select count(*) as n from lethe_events');
  for (let copy = 1; total < events; copy++) {
    const remaining = events - total;
    // The last copy takes only as many tenants as the remaining events need.
    const tenants = remaining >= perCopy ? templateTenants : Math.max(1, Math.ceil(remaining / perTenant));
    total += await cloneRows(pool, {
      table: 'lethe_events',
      where: `${TEMPLATE_STREAMS} and substring(t.stream_id from 'storm-[0-9]{6}$') <= '${stormTenant(tenants)}'`,
      from: 'storm-',
      to: `'c' || lpad(g::text, 3, '0') || '-storm-'`,
      first: copy,
      last: copy,
      // Event ids derive from their causes and may share their last 24 hex digits: fresh ones.
      overrides: { transaction_id: 'pg_current_xact_id()', event_id: 'gen_random_uuid()' },
      orderBy: 't.global_position',
    });
  }
  await pool.query('vacuum (analyze) lethe_events');
  await pool.query('checkpoint').catch(() => undefined);
  say(`  setup: the log holds ${total.toLocaleString('en-US')} events (${perTenant.toFixed(1)} per tenant lifecycle)`);
  return total;
}

export async function rebuildAtScale(pool: pg.Pool, events: number, say: (line: string) => void): Promise<ScaleRow[]> {
  const total = await growLog(pool, events, say);
  const readerPool = new pg.Pool({ connectionString: (pool.options as { connectionString: string }).connectionString, max: 8 });
  readerPool.on('error', () => undefined);
  try {
    await rawCatchUp(readerPool, total);
    const raw1 = await rawCatchUp(readerPool, total);
    const result = await rebuildProjections(
      readerPool,
      new PostgresEventStore(readerPool),
      readModels().map((m) => ({ projection: m.projection, tables: m.tables })),
      { owner: 'scale-bench' },
    );
    if (result.events !== total) throw new Error(`the rebuild read ${result.events} events, the log holds ${total}`);
    const rebuild = result.events / result.seconds;
    const raw2 = await rawCatchUp(readerPool, total);
    const raw = (raw1 + raw2) / 2;
    say(`  raw keyset read: ${Math.round(raw1)} and ${Math.round(raw2)} events/s; rebuild: ${Math.round(rebuild)} events/s (${result.seconds.toFixed(1)} s)`);
    for (const p of result.projections) say(`    ${p.name}: ${p.handled.toLocaleString('en-US')} events handled`);
    const tenants = await count(readerPool, 'select count(*) as n from rm_tenants');
    say(`  read model after the rebuild: ${tenants.toLocaleString('en-US')} tenants`);
    return [
      {
        row: `projection rebuild, every read model, ${total.toLocaleString('en-US')} events`,
        measured: rebuild,
        baseline: raw,
        unit: 'events/s',
        ratio: rebuild / raw,
        target: `>= ${REBUILD_TARGET.toFixed(2)} of raw`,
        pass: rebuild / raw >= REBUILD_TARGET,
        baselineNote: `raw keyset read of the same events in pages of 1000 (mean of a pass before and one after the rebuild); rebuild took ${result.seconds.toFixed(1)} s`,
      },
    ];
  } finally {
    await readerPool.end();
  }
}
