// `npm run bench`: the PostgreSQL event store against hand-written `pg` SQL on the same server, in
// the same run. Prints a table (medians of 3 after a warm-up) and writes results/latest.json.
// It is a report: the exit code is 0 even when a target is missed (non-zero only if it crashed).
import { PostgresEventStore } from '@lethe/eventstore';
import pg from 'pg';
import { appendPass, EVENTS_PER_STREAM } from './append-load.js';
import { letheAppend, letheCatchUp } from './lethe-subject.js';
import { measurePair } from './measure.js';
import { EVENT_DATA_BYTES } from './payload.js';
import { rawAppend, rawCatchUp, PAGE } from './raw-baseline.js';
import { loadReadFixture } from './read-fixture.js';
import { missedTargets, printTable, writeJson, type WorkloadResult } from './report.js';
import { createSchema, resetTables } from './schema.js';
import { openBenchDatabase } from './server.js';

const RUNS = 3;
const APPEND_MS = 3_000;
const WARMUP_MS = 1_000;
const CONCURRENCY = 8;
const READ_EVENTS = 100_000;
const APPEND_TARGET = 0.85;
const READ_TARGET = 0.8;

const say = (line: string) => console.log(line);
const progress = (workload: string) => (line: string) => console.log(`  [${workload}] ${line}`);

async function main(): Promise<void> {
  const db = await openBenchDatabase();
  say(`PostgreSQL: ${db.source} at ${db.server}, database ${db.database}`);
  say(`  ${db.version}`);
  // The same pool settings for both sides: 1 connection for sequential, 8 for concurrent.
  const admin = new pg.Pool({ connectionString: db.url, max: 1 });
  const seqPool = new pg.Pool({ connectionString: db.url, max: 1 });
  const concPool = new pg.Pool({ connectionString: db.url, max: CONCURRENCY });
  // An idle client's error (e.g. its session ending at teardown) must not crash the run.
  for (const pool of [admin, seqPool, concPool]) pool.on('error', () => undefined);
  const seqStore = new PostgresEventStore(seqPool);
  const concStore = new PostgresEventStore(concPool);
  const readStore = new PostgresEventStore(seqPool, { batchSize: PAGE });
  const results: WorkloadResult[] = [];
  try {
    await createSchema(db.url, admin);
    say(`payload ${EVENT_DATA_BYTES} bytes of jsonb; appends of 1 event, streams of ${EVENTS_PER_STREAM}; ` +
      `${APPEND_MS / 1000} s per append pass; ${RUNS} runs after a warm-up\n`);

    const appendWorkload = async (workload: string, pool: pg.Pool, store: PostgresEventStore, writers: number, target?: number) => {
      const duration = (warmup: boolean) => (warmup ? WARMUP_MS : APPEND_MS);
      const sample = await measurePair(
        (warmup) => appendPass(rawAppend(pool), writers, duration(warmup)),
        (warmup) => appendPass(letheAppend(store), writers, duration(warmup)),
        { runs: RUNS, beforeEach: () => resetTables(admin), log: progress(workload) },
      );
      results.push({ workload, sample, target });
    };
    await appendWorkload('append 1 event, sequential (1 conn)', seqPool, seqStore, 1);
    await appendWorkload(`append 1 event, ${CONCURRENCY} connections`, concPool, concStore, CONCURRENCY, APPEND_TARGET);

    const readWorkload = `catch-up read of ${READ_EVENTS.toLocaleString('en-US')} events`;
    const loadStart = performance.now();
    await loadReadFixture(admin, READ_EVENTS);
    progress(readWorkload)(`bulk-loaded positions 1..${READ_EVENTS} in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);
    const sample = await measurePair(
      () => rawCatchUp(seqPool, READ_EVENTS),
      () => letheCatchUp(readStore, READ_EVENTS),
      { runs: RUNS, log: progress(readWorkload) },
    );
    results.push({ workload: readWorkload, sample, target: READ_TARGET });

    say('');
    printTable(results, say);
    const file = writeJson({
      server: { source: db.source, address: db.server, version: db.version, database: db.database },
      settings: {
        runs: RUNS,
        appendPassMs: APPEND_MS,
        warmupPassMs: WARMUP_MS,
        concurrency: CONCURRENCY,
        eventsPerStream: EVENTS_PER_STREAM,
        payloadBytes: EVENT_DATA_BYTES,
        readEvents: READ_EVENTS,
        readPageSize: PAGE,
      },
      results,
    });
    const missed = missedTargets(results);
    say('');
    say(missed.length === 0 ? 'All targets met.' : `TARGET MISSED: ${missed.join('; ')}`);
    say(`Results written to ${file}`);
    say(`(medians of ${RUNS}; this is a report, the exit code does not depend on the targets)`);
  } finally {
    await Promise.all([seqStore.close(), concStore.close(), readStore.close()]);
    await Promise.all([admin.end(), seqPool.end(), concPool.end()]);
    await db.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
