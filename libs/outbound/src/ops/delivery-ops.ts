// What ops see of and do with the delivery queues: counts for metrics, dead deliveries (retries
// exhausted) to inspect, and a replay of a tenant's integration events to one sink.
import type pg from 'pg';
import type { SinkKind, SinkSubscription } from '../delivery/sink.js';

type Db = Pick<pg.Pool, 'query'>;

const KIND_OF_SINK = `case when sink like 'webhook:%' then 'webhook' else 'amqp' end`;

/** Pending and dead deliveries by sink kind (delivered ones are not counted: they only grow). */
export async function countDeliveries(db: Db): Promise<{ sinkKind: SinkKind; state: 'pending' | 'dead'; n: number }[]> {
  const res = await db.query<{ sink_kind: SinkKind; state: 'pending' | 'dead'; n: number }>(
    `select ${KIND_OF_SINK} as sink_kind, state, count(*)::int as n from lethe_outbound_deliveries where state in ('pending', 'dead') group by 1, 2 order by 1, 2`,
  );
  return res.rows.map((r) => ({ sinkKind: r.sink_kind, state: r.state, n: r.n }));
}

export interface DeadDelivery {
  readonly sink: string;
  readonly eventId: string;
  readonly type: string;
  readonly tenantId: string;
  readonly position: string;
  readonly attempts: number;
  /** The status or network failure of the last attempt (never a URL, secret or answer body). */
  readonly lastError: string | null;
  readonly deadAt: string;
}

/** Dead deliveries, newest first, optionally of one sink or tenant. */
export async function listDeadDeliveries(db: Db, filter: { sink?: string; tenantId?: string; limit: number }): Promise<DeadDelivery[]> {
  const res = await db.query<{ sink: string; event_id: string; type: string; tenant_id: string; position: string; attempts: number; last_error: string | null; dead_at: Date }>(
    `select d.sink, d.event_id::text, e.type, d.tenant_id, d.position::text, d.attempts, d.last_error, d.dead_at
       from lethe_outbound_deliveries d join lethe_outbound_events e on e.id = d.event_id
      where d.state = 'dead' and ($1::text is null or d.sink = $1) and ($2::text is null or d.tenant_id = $2)
      order by d.dead_at desc, d.sink, d.position
      limit $3`,
    [filter.sink ?? null, filter.tenantId ?? null, filter.limit],
  );
  return res.rows.map((r) => ({
    sink: r.sink,
    eventId: r.event_id,
    type: r.type,
    tenantId: r.tenant_id,
    position: r.position,
    attempts: r.attempts,
    lastError: r.last_error,
    deadAt: r.dead_at.toISOString(),
  }));
}

/**
 * Queues the tenant's integration events from `fromPosition` (inclusive) again for `sink`, in
 * position order, with their original ids: delivered and dead ones go back to pending with fresh
 * attempts, and events stored before the sink existed are added. Returns how many were queued.
 */
export async function replayToSink(db: Db, sink: SinkSubscription, tenantId: string, fromPosition: bigint): Promise<number> {
  const res = await db.query(
    `insert into lethe_outbound_deliveries (sink, event_id, tenant_id, position)
     select $1, e.id, e.tenant_id, e.position from lethe_outbound_events e
      where e.tenant_id = $2 and e.position >= $3 and ($4::text[] is null or e.type = any($4))
     on conflict (sink, event_id) do update
        set state = 'pending', attempts = 0, next_attempt_at = now(), last_error = null, delivered_at = null, dead_at = null,
            replays = lethe_outbound_deliveries.replays + 1`,
    [sink.name, tenantId, fromPosition.toString(), sink.types === 'all' ? null : [...sink.types]],
  );
  return res.rowCount ?? 0;
}
