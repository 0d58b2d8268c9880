// Part of `npm run bench`: how long a subscriber takes to get an event appended just after a hole
// (a revision conflict burns a position), (1) with no other transaction on the server, then (2)
// while a transaction in ANOTHER database of the same server has been open and stays open. Such a
// transaction can write nothing to the log, so it must not delay readers: target median (2) /
// median (1) <= 3 (both sides run the same path; the slack is for a noisy shared machine).
// Each sample: a hole, then the measured append on one pool; the subscriber reads through another
// pool, as another instance would, woken by NOTIFY. Delay = delivery minus the append's commit.
// Samples are spread over the foreign transaction's life (LETHE_BENCH_FOREIGN_TX_MS, default
// 30,000 ms); one appended after it ended is not counted. Prints a table and writes
// results/reader-delay-latest.json. It is a report: the exit code is 0 even when the target is
// missed (non-zero only if it crashed).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { PostgresEventStore, WrongExpectedRevisionError, eventStoreMigrations, type EventToAppend } from '@lethe/eventstore';
import { runMigrations } from '@lethe/postgres';
import { writeNamedJson } from './report.js';
import { openBenchDatabase } from './server.js';

const SAMPLES = 30;
const WARMUP = 5;
const TARGET = 3;
/** How long the foreign transaction is open before the first sample. */
const SETTLE_MS = 1_000;
/** How long a sample may wait for its delivery after the foreign transaction ended. */
const GRACE_MS = 10_000;

function foreignTxMs(): number {
  const raw = process.env.LETHE_BENCH_FOREIGN_TX_MS;
  if (raw === undefined || raw === '') return 30_000;
  const ms = Number(raw);
  if (!Number.isInteger(ms) || ms < 2 * SETTLE_MS) throw new Error(`LETHE_BENCH_FOREIGN_TX_MS must be an integer >= ${2 * SETTLE_MS} (ms), got ${raw}`);
  return ms;
}

const ev = (type: string): EventToAppend => ({ id: randomUUID(), type, data: {}, metadata: { schemaVersion: 1 } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sample {
  /** ms from the append's commit to the subscriber's handler. */
  readonly delayMs: number;
}

/** Waits for deliveries of the subscriber, by event id. */
class Deliveries {
  private readonly waiting = new Map<string, (at: number) => void>();
  private readonly early = new Map<string, number>();

  delivered(id: string): void {
    const at = performance.now();
    const resolve = this.waiting.get(id);
    if (resolve) {
      this.waiting.delete(id);
      resolve(at);
    } else this.early.set(id, at);
  }

  /** When `id` was delivered (maybe before the call); rejects after `timeoutMs`. */
  async of(id: string, timeoutMs: number): Promise<number> {
    const early = this.early.get(id);
    if (early !== undefined) {
      this.early.delete(id);
      return early;
    }
    return await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`event not delivered within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }
}

/** A hole (the second 'no-stream' append to a stream burns a position), then the measured append. */
async function sample(writer: PostgresEventStore, deliveries: Deliveries, timeoutMs: number): Promise<{ committedAt: number; deliveredAt: Promise<number> }> {
  const stream = `reader-delay-${randomUUID()}`;
  await writer.append(stream, [ev('Before')], 'no-stream');
  await writer.append(stream, [ev('Conflict')], 'no-stream').then(
    () => {
      throw new Error('the conflicting append was accepted: no hole');
    },
    (error: unknown) => {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
    },
  );
  const measured = ev('Measured');
  await writer.append(`${stream}-after`, [measured], 'no-stream');
  const committedAt = performance.now();
  const deliveredAt = deliveries.of(measured.id, timeoutMs);
  deliveredAt.catch(() => undefined);
  return { committedAt, deliveredAt };
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '-');

async function main(): Promise<void> {
  const windowMs = foreignTxMs();
  const spacingMs = Math.floor((windowMs - 2 * SETTLE_MS) / SAMPLES);
  const db = await openBenchDatabase();
  console.log(`PostgreSQL: ${db.source} at ${db.server}, database ${db.database}`);
  console.log(`  ${db.version}`);
  const writerPool = new pg.Pool({ connectionString: db.url, max: 2 });
  const readerPool = new pg.Pool({ connectionString: db.url, max: 2 });
  writerPool.on('error', () => undefined);
  readerPool.on('error', () => undefined);
  const writer = new PostgresEventStore(writerPool);
  const reader = new PostgresEventStore(readerPool);
  let foreign: pg.Client | undefined;
  let cancelClose: () => void = () => undefined;
  try {
    await runMigrations(db.url, eventStoreMigrations);
    const deliveries = new Deliveries();
    let failure: unknown;
    const sub = reader.subscribe(await reader.head(), async (e) => deliveries.delivered(e.id), { onError: (e) => (failure = e) });

    const run = async (name: string, count: number, until: () => number): Promise<{ samples: Sample[]; late: number }> => {
      const samples: Sample[] = [];
      let late = 0;
      for (let i = 0; i < count; i++) {
        const startedAt = performance.now();
        if (startedAt >= until()) {
          late = count - i;
          break;
        }
        const end = until();
        const s = await sample(writer, deliveries, (Number.isFinite(end) ? Math.max(end - performance.now(), 0) : 0) + GRACE_MS);
        const deliveredAt = await s.deliveredAt;
        if (failure) throw failure;
        if (s.committedAt > until()) {
          late = count - i;
          break;
        }
        samples.push({ delayMs: Math.max(0, deliveredAt - s.committedAt) });
        if (name) console.log(`  [${name}] sample ${i + 1}: ${ms(samples[samples.length - 1].delayMs)}`);
        await sleep(Math.max(0, spacingMs - (performance.now() - startedAt)));
      }
      return { samples, late };
    };

    await run('', WARMUP, () => Infinity);
    const baseline = await run('baseline', SAMPLES, () => Infinity);

    // A transaction in another database that holds an xid, open for the whole window.
    foreign = new pg.Client({ connectionString: await db.sibling() });
    await foreign.connect();
    await foreign.query('begin');
    await foreign.query('select pg_current_xact_id()');
    const openedAt = performance.now();
    const closesAt = openedAt + windowMs;
    let closeTimer: NodeJS.Timeout | undefined;
    const closing = new Promise<void>((resolve) => {
      closeTimer = setTimeout(() => void foreign?.query('rollback').then(() => resolve(), () => resolve()), windowMs);
    });
    cancelClose = () => clearTimeout(closeTimer);
    await sleep(SETTLE_MS);
    const underForeign = await run('foreign tx open', SAMPLES, () => closesAt);
    await closing;
    await sub.stop();

    const base = median(baseline.samples.map((s) => s.delayMs));
    const withForeign = median(underForeign.samples.map((s) => s.delayMs));
    const ratio = withForeign / base;
    const pass = ratio <= TARGET;
    const max = (xs: readonly Sample[]) => (xs.length ? Math.max(...xs.map((s) => s.delayMs)) : NaN);
    console.log('');
    console.log('workload                                          samples  median delay   max delay  ratio  target  result');
    console.log('------------------------------------------------  -------  ------------  ----------  -----  ------  ------');
    console.log(`(1) append after a hole, no other transaction`.padEnd(48) + `  ${String(baseline.samples.length).padStart(7)}  ${ms(base).padStart(12)}  ${ms(max(baseline.samples)).padStart(10)}`);
    console.log(
      `(2) same, transaction open in another database`.padEnd(48) +
        `  ${String(underForeign.samples.length).padStart(7)}  ${ms(withForeign).padStart(12)}  ${ms(max(underForeign.samples)).padStart(10)}` +
        `  ${ratio.toFixed(2).padStart(5)}  <= ${TARGET.toFixed(0)}    ${pass ? 'PASS' : 'FAIL'}`,
    );
    console.log(
      `(foreign transaction open ${windowMs.toLocaleString('en-US')} ms; samples every ${spacingMs} ms; ${underForeign.late} of ${SAMPLES} not taken because it had ended)`,
    );
    const file = writeNamedJson('reader-delay-latest.json', {
      server: { source: db.source, address: db.server, version: db.version, database: db.database },
      settings: { samples: SAMPLES, warmup: WARMUP, foreignTxMs: windowMs, spacingMs },
      results: [
        {
          workload: 'delay from an append after a hole to its delivery: transaction open in another database over none',
          baselineMs: { median: Number(base.toFixed(3)), runs: baseline.samples.map((s) => Number(s.delayMs.toFixed(3))) },
          foreignTxOpenMs: { median: Number(withForeign.toFixed(3)), runs: underForeign.samples.map((s) => Number(s.delayMs.toFixed(3))), notTaken: underForeign.late },
          ratio: Number(ratio.toFixed(3)),
          target: `<= ${TARGET}`,
          result: pass ? 'PASS' : 'FAIL',
        },
      ],
    });
    console.log(`Results written to ${file}`);
  } finally {
    cancelClose();
    await foreign?.end().catch(() => undefined);
    await reader.close();
    await writer.close();
    await readerPool.end();
    await writerPool.end();
    await db.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
