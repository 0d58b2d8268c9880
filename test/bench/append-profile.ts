// Where the 8-connection append time goes: the store's append against variants of the raw baseline.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PostgresEventStore } from '@lethe/eventstore';
import { appendPass, type AppendOne } from './append-load.js';
import { letheAppend } from './lethe-subject.js';
import { EVENT_DATA, EVENT_METADATA, EVENT_TYPE } from './payload.js';
import { rawAppend } from './raw-baseline.js';
import { createSchema, resetTables } from './schema.js';
import { openBenchDatabase } from './server.js';

const LIKE_STORE = `
    with tx as materialized (select pg_current_xact_id() as xid)
    insert into raw_events (transaction_id, stream_id, stream_revision, event_id, event_type, data, metadata)
    select tx.xid, $1, $6::bigint + 1, $2::uuid, $3, $4::jsonb, $5::jsonb from tx
     where exists (select 1 from raw_events where stream_id = $1 and stream_revision = $6::bigint)
    returning global_position, stream_revision`;
const LIKE_STORE_FIRST = `
    with tx as materialized (select pg_current_xact_id() as xid)
    insert into raw_events (transaction_id, stream_id, stream_revision, event_id, event_type, data, metadata)
    select tx.xid, $1, 0, $2::uuid, $3, $4::jsonb, $5::jsonb from tx
    returning global_position, stream_revision`;

function rawLikeStore(pool: pg.Pool): AppendOne {
  return async (streamId, revision) => {
    const first = revision === 0n;
    const values: unknown[] = [streamId, randomUUID(), EVENT_TYPE, JSON.stringify(EVENT_DATA), JSON.stringify(EVENT_METADATA)];
    if (!first) values.push((revision - 1n).toString());
    await pool.query({ name: first ? 'p_first' : 'p_exact', text: first ? LIKE_STORE_FIRST : LIKE_STORE, values });
  };
}

async function main(): Promise<void> {
  const db = await openBenchDatabase();
  const admin = new pg.Pool({ connectionString: db.url, max: 1 });
  const pool = new pg.Pool({ connectionString: db.url, max: 8 });
  const quiet = new pg.Pool({ connectionString: db.url, max: 8 });
  for (const p of [admin, pool, quiet]) p.on('error', () => undefined);
  const store = new PostgresEventStore(pool);
  const silent = new PostgresEventStore(quiet);
  // The same store without the coalesced NOTIFY after appends.
  (silent as unknown as { announce: () => void }).announce = () => undefined;
  await createSchema(db.url, admin);
  const variants: [string, AppendOne][] = [
    ['raw insert', rawAppend(pool)],
    ['raw, the store SQL (xid CTE + exists)', rawLikeStore(pool)],
    ['Lethe store.append', letheAppend(store)],
    ['Lethe store.append without NOTIFY', letheAppend(silent)],
  ];
  const rates = new Map<string, number[]>(variants.map(([n]) => [n, []]));
  const ms = Number(process.env.PASS_MS ?? 3000);
  for (let run = 0; run < Number(process.env.RUNS ?? 3); run++) {
    for (const [name, append] of run % 2 ? [...variants].reverse() : variants) {
      await resetTables(admin);
      const rate = await appendPass(append, 8, ms);
      rates.get(name)!.push(rate);
      console.log(`run ${run + 1} ${name}: ${Math.round(rate)} ev/s`);
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const raw = med(rates.get('raw insert')!);
  for (const [name, xs] of rates) console.log(`${name.padEnd(42)} ${Math.round(med(xs)).toString().padStart(7)} ev/s  ${(med(xs) / raw).toFixed(2)}`);
  await Promise.all([store.close(), silent.close()]);
  await Promise.all([admin.end(), pool.end(), quiet.end()]);
  await db.dispose();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
