// The hand-written baseline: the leanest SQL that does the same job as the store, on raw_events.
// Append: one autocommit INSERT per event, revision from the client, the unique constraint as the
// optimistic check. Read: keyset pages of 1000 over lethe_events (the same rows the store reads).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import type { AppendOne } from './append-load.js';
import { EVENT_DATA, EVENT_METADATA, EVENT_TYPE } from './payload.js';

const INSERT = `
  insert into raw_events (transaction_id, stream_id, stream_revision, event_id, event_type, data, metadata)
  values (pg_current_xact_id(), $1, $2, $3, $4, $5, $6)`;

export function rawAppend(pool: pg.Pool): AppendOne {
  return async (streamId, revision) => {
    await pool.query({
      name: 'raw_append',
      text: INSERT,
      values: [streamId, revision.toString(), randomUUID(), EVENT_TYPE, JSON.stringify(EVENT_DATA), JSON.stringify(EVENT_METADATA)],
    });
  };
}

/** The store's read columns, so both sides parse the same values. */
const READ = `
  select global_position, stream_id, stream_revision, event_id, event_type, data, metadata, recorded_at
    from lethe_events where global_position > $1 order by global_position limit $2`;

export const PAGE = 1000;

/** Reads the whole log in keyset pages; answers events/s. Checks it read `expected` rows. */
export async function rawCatchUp(pool: pg.Pool, expected: number): Promise<number> {
  const start = performance.now();
  let after = '0';
  let read = 0;
  for (;;) {
    const res = await pool.query<{ global_position: string }>({ name: 'raw_read_all', text: READ, values: [after, PAGE] });
    const rows = res.rows;
    read += rows.length;
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1].global_position;
  }
  const seconds = (performance.now() - start) / 1000;
  if (read !== expected) throw new Error(`raw read saw ${read} events, expected ${expected}`);
  return read / seconds;
}
