// The outbox keeps every integration event so a sink added later, or a consumer that lost messages,
// can be served by a replay. Kept for ever it would grow with the fleet's age; so an event is dropped
// once it is older than the retention and every sink has delivered it. Pending and dead deliveries
// (and their events) stay whatever their age: pending ones are still owed, dead ones are ops' to see
// and replay. Pruning is safe on several instances at once (skip locked) and idempotent: a prune that
// did not run is done by the next one, so it needs no durable timer.
import type pg from 'pg';

/** How many events one prune statement drops at most: short transactions, no long lock on the queue. */
export const PRUNE_BATCH = 1000;

/**
 * Drops integration events stored more than `retentionDays` ago (database time, as `stored_at`) that
 * no sink still owes or holds dead, with their delivered rows; repeats in batches until none is left.
 * Returns how many events were dropped.
 */
export async function pruneOutbox(pool: pg.Pool, retentionDays: number, batch = PRUNE_BATCH): Promise<number> {
  let dropped = 0;
  for (;;) {
    const res = await pool.query(
      `with doomed as (
         select e.id from lethe_outbound_events e
          where e.stored_at < now() - make_interval(days => $1)
            and not exists (select 1 from lethe_outbound_deliveries d where d.event_id = e.id and d.state <> 'delivered')
          order by e.stored_at
          limit $2
          for update of e skip locked
       ), delivered as (
         delete from lethe_outbound_deliveries d using doomed where d.event_id = doomed.id
       )
       delete from lethe_outbound_events e using doomed where e.id = doomed.id`,
      [retentionDays, batch],
    );
    const count = res.rowCount ?? 0;
    dropped += count;
    if (count < batch) return dropped;
  }
}
