// Who runs each processor, as any instance can see it: a lease is live while a database session
// holds its advisory lock AND its owner heartbeated recently (a hung owner keeps the lock but stops
// beating). Read by readiness; owners' names are not returned (they may carry host names).
import type pg from 'pg';
import type { EventStore } from '@lethe/eventstore';
import { LEASE_LOCK_CLASS, LEASE_STALE_AFTER_MS } from './processor-lease.js';

export interface ProcessorOwnership {
  readonly processor: string;
  /** Some instance holds the lease and heartbeated within `staleAfterMs`. */
  readonly ownedByLiveInstance: boolean;
  /** How far the processor got: its owner's last reported progress, or its checkpoint. */
  readonly position: bigint;
  /**
   * How long ago (database clock, ms) the oldest event after `position` was recorded; 0 when the
   * processor has nothing left to read.
   */
  readonly lagMs: number;
}

/**
 * One query for all the named processors. `positions` may give a fresher position for some of them
 * (the ones running in the caller's own process).
 */
export async function readProcessorOwnership(
  db: Pick<pg.Pool, 'query'>,
  processors: readonly string[],
  options: {
    readonly staleAfterMs?: number;
    readonly positions?: ReadonlyMap<string, bigint>;
    /**
     * A log kept outside this database (EventStoreDB): the lag is read from it through the port
     * (the query below finds no rows in lethe_events and would report 0), against `now` (real time).
     */
    readonly log?: { readonly events: Pick<EventStore, 'readAll'>; readonly now: Date };
  } = {},
): Promise<ProcessorOwnership[]> {
  const local = processors.map((p) => options.positions?.get(p)?.toString() ?? null);
  const res = await db.query<{ processor: string; live: boolean; position: string; lag_ms: string | null }>(
    `with p as (
       select n.processor,
              greatest(coalesce(n.local::bigint, 0), coalesce(l.position, 0), coalesce(c.position, 0)) as position,
              coalesce(l.heartbeat_at > now() - make_interval(secs => $3::float8 / 1000), false)
                and exists (select 1 from pg_locks k
                             where k.locktype = 'advisory' and k.granted
                               and k.database = (select oid from pg_database where datname = current_database())
                               and k.classid = $4 and k.objid = hashtext(n.processor)::oid and k.objsubid = 2) as live
         from unnest($1::text[], $2::text[]) as n(processor, local)
         left join lethe_processor_leases l on l.processor = n.processor
         left join lethe_checkpoints c on c.processor = n.processor)
     select p.processor, p.live, p.position::text as position,
            (select greatest(0, extract(epoch from now() - e.recorded_at) * 1000)::bigint
               from lethe_events e where e.global_position > p.position
              order by e.global_position limit 1)::text as lag_ms
       from p`,
    [processors, local, options.staleAfterMs ?? LEASE_STALE_AFTER_MS, LEASE_LOCK_CLASS],
  );
  const owners = res.rows.map((r) => ({
    processor: r.processor,
    ownedByLiveInstance: r.live,
    position: BigInt(r.position),
    lagMs: r.lag_ms === null ? 0 : Number(r.lag_ms),
  }));
  const log = options.log;
  if (!log) return owners;
  return Promise.all(owners.map(async (o) => ({ ...o, lagMs: await lagInLog(log.events, o.position, log.now) })));
}

/** How long ago the oldest event after `position` was recorded (the log server's clock against this one's); 0 when none. */
export async function lagInLog(log: Pick<EventStore, 'readAll'>, position: bigint, now: Date): Promise<number> {
  const [next] = await log.readAll(position, 1);
  return next ? Math.max(0, now.getTime() - next.recordedAt.getTime()) : 0;
}

/** Events in the log after `position`, counted up to `cap` (through the port: a log's positions need not be consecutive). */
export async function eventsAfter(log: Pick<EventStore, 'readAll'>, position: bigint, cap: number): Promise<number> {
  let count = 0;
  let after = position;
  while (count < cap) {
    const page = await log.readAll(after, Math.min(1000, cap - count));
    if (page.length === 0) break;
    count += page.length;
    after = page[page.length - 1].position;
  }
  return count;
}

/**
 * Sessions holding a processor lease on this database now (engines with the `processors` role, owner
 * or not yet released, or a `lethe projections rebuild`): for operator commands that must not run
 * beside any engine.
 */
export async function countLeaseHolders(db: Pick<pg.Pool, 'query'>): Promise<number> {
  const res = await db.query<{ n: number }>(
    `select count(distinct pid)::int as n from pg_locks
      where locktype = 'advisory' and granted and classid = $1 and objsubid = 2
        and database = (select oid from pg_database where datname = current_database())`,
    [LEASE_LOCK_CLASS],
  );
  return res.rows[0].n;
}
