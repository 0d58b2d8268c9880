// Fills lethe_events with exactly `count` events at positions 1..count, in one statement, so both
// readers see the same contiguous log (no holes: the store delivers it without waiting).
import type pg from 'pg';
import { EVENTS_PER_STREAM } from './append-load.js';
import { EVENT_DATA, EVENT_METADATA, EVENT_TYPE } from './payload.js';

export async function loadReadFixture(admin: pg.Pool, count: number): Promise<void> {
  await admin.query('truncate raw_events, lethe_events restart identity');
  await admin.query(
    `insert into lethe_events (transaction_id, stream_id, stream_revision, event_id, event_type, data, metadata)
     select pg_current_xact_id(), 'bench-read-s' || lpad(((g - 1) / $4)::text, 7, '0'), (g - 1) % $4,
            gen_random_uuid(), $1, $2::jsonb, $3::jsonb
       from generate_series(1, $5::int) as g
      order by g`,
    [EVENT_TYPE, JSON.stringify(EVENT_DATA), JSON.stringify(EVENT_METADATA), EVENTS_PER_STREAM, count],
  );
  const check = await admin.query<{ n: string; lo: string; hi: string }>(
    'select count(*) as n, min(global_position) as lo, max(global_position) as hi from lethe_events',
  );
  const { n, lo, hi } = check.rows[0];
  if (Number(n) !== count || Number(lo) !== 1 || Number(hi) !== count) {
    throw new Error(`read fixture is not positions 1..${count}: count ${n}, min ${lo}, max ${hi}`);
  }
  // Hint bits and the visibility map settled now, not during the first measured read.
  await admin.query('vacuum (analyze) lethe_events');
  await admin.query('checkpoint').catch(() => undefined);
}
