// `npm run bench:scale`: Lethe at scale on this machine, each row against a baseline measured in the
// same run (see each row's file): a shred storm of 10,000 tenants (shred-storm.ts), dashboard reads
// over 100,000 tenants (dashboard-reads.ts), and rebuilding every read model from 1,000,000 events
// (rebuild-scale.ts, the code of `lethe projections rebuild`). Not part of `npm test`.
// Sizes can be lowered for a quick try: SCALE_TENANTS, SCALE_DASHBOARD_TENANTS, SCALE_EVENTS, SCALE_READ_SECONDS.
// A report: the exit code is 0 even when a target is missed (non-zero only if it crashed).
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { dashboardReads } from './dashboard-reads.js';
import { rebuildAtScale } from './rebuild-scale.js';
import { printScaleTable, writeScaleJson, type ScaleRow } from './scale-report.js';
import { startScaleEngine } from './scale-engine.js';
import { openBenchDatabase } from './server.js';
import { STORM_CLOCK_START, shredStorm } from './shred-storm.js';

const size = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const TENANTS = size('SCALE_TENANTS', 10_000);
const DASHBOARD_TENANTS = size('SCALE_DASHBOARD_TENANTS', 100_000);
const EVENTS = size('SCALE_EVENTS', 1_000_000);

const say = (line: string) => console.log(line);

async function main(): Promise<void> {
  const started = performance.now();
  const db = await openBenchDatabase();
  say(`PostgreSQL: ${db.source} at ${db.server}, database ${db.database}; ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GB`);
  const pool = new pg.Pool({ connectionString: db.url, max: 10 });
  pool.on('error', () => undefined);
  const rows: ScaleRow[] = [];
  try {
    const engine = await startScaleEngine(db.url, STORM_CLOCK_START);
    try {
      say(`1. shred storm (${TENANTS} tenants)`);
      rows.push(...(await shredStorm(engine, pool, TENANTS, say)));
      say(`2. dashboard reads (${DASHBOARD_TENANTS} tenants)`);
      rows.push(...(await dashboardReads(engine, pool, DASHBOARD_TENANTS, say)));
    } finally {
      await engine.stop();
    }
    say(`3. projection rebuild (${EVENTS} events)`);
    rows.push(...(await rebuildAtScale(pool, EVENTS, say)));
    say('');
    printScaleTable(rows, say);
    const file = writeScaleJson(
      { source: db.source, address: db.server, version: db.version, database: db.database },
      { tenants: TENANTS, dashboardTenants: DASHBOARD_TENANTS, events: EVENTS, cores: cpus().length },
      rows,
    );
    say(`Results written to ${file} (${((performance.now() - started) / 60_000).toFixed(1)} min)`);
  } finally {
    await pool.end();
    await db.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
