// Rebuilds read models from the event log (`lethe projections rebuild`, the scale bench). Each
// projection is rebuilt under its own processor lease, so no engine projects it meanwhile, and in one
// transaction per projection: its tables are emptied, every event is handed to the projection's own
// code (its rebuilder, else `handleBatch` a page at a time, else `handle`, all leaving the rows the live
// runner leaves), and its checkpoint moves to the last event read. Readers
// keep seeing the old rows until that commit (DELETE, not TRUNCATE, which would block them); a
// rebuild that fails or is interrupted rolls back and leaves the old rows with their old checkpoint.
import { hostname } from 'node:os';
import pg from 'pg';
import type { PostgresEventStore, RecordedEvent } from '@lethe/eventstore';
import { LEASE_STALE_AFTER_MS, ProcessorLease } from './processor-lease.js';
import { deliverable, silentLogger, type Delivered, type Interest, type Processor, type ProcessorLogger, type ProjectionRebuilder } from './processor.js';

/** A read model: the projection that writes it and every table it writes (all emptied before the replay). */
export interface RebuildTarget {
  readonly projection: Processor;
  readonly tables: readonly string[];
}

export interface RebuildProgress {
  /** Events read from the log so far (each is offered to every projection being rebuilt). */
  readonly events: number;
  /** Global position of the last event read. */
  readonly position: bigint;
}

export interface RebuildOptions {
  /** Names the rebuilding process in the lease table. Default: `lethe-rebuild:<host>:<pid>`. */
  readonly owner?: string;
  /** Where the leases' sessions live: a direct connection, never a transaction-mode pooler. Default: the pool's settings. */
  readonly directConnection?: pg.ClientConfig;
  /** Events read per page (default 1000, like a live subscription). */
  readonly pageSize?: number;
  readonly logger?: ProcessorLogger;
  /** Called once the leases are held, with the number of events the log holds now. */
  readonly onStart?: (eventsInLog: number) => void;
  /** Called after each page has been handed to every projection. */
  readonly onProgress?: (progress: RebuildProgress) => void;
}

export interface RebuildResult {
  /** Each rebuilt projection and the checkpoint it committed. */
  readonly projections: readonly { readonly name: string; readonly checkpoint: bigint; readonly handled: number }[];
  readonly events: number;
  readonly seconds: number;
}

/** Another live instance holds the projection's lease: rebuilding now would race its writes. */
export class ProjectionLeasedError extends Error {
  constructor(readonly projection: string) {
    super(
      `${projection} is owned by a running engine (it holds the processor lease); stop the engines' processors ` +
        '(restart them with LETHE_ROLES not naming processors) or stop the engines, then rebuild',
    );
    this.name = 'ProjectionLeasedError';
  }
}

/** What a thrown value says: an error's message, else the value as text. */
const reasonOf = (cause: unknown): string => (cause as Error)?.message ?? String(cause);

/** An event the projection could not handle: nothing was committed. */
export class RebuildFailedError extends Error {
  constructor(
    readonly projection: string,
    readonly event: Pick<RecordedEvent, 'id' | 'type' | 'position'>,
    cause: unknown,
  ) {
    super(`${projection} failed on event ${event.id} (${event.type} at position ${event.position}): ${reasonOf(cause)}; nothing was changed`);
    this.name = 'RebuildFailedError';
  }
}

/** How long to wait before reading again when the next event is still being written. */
const HOLE_WAIT_MS = 20;

interface Running {
  readonly target: RebuildTarget;
  readonly lease: ProcessorLease;
  readonly rebuilder?: ProjectionRebuilder;
  client?: pg.PoolClient;
  handled: number;
}

/** A rebuilder's read or write failed: it concerns rows folded from many events, so it names none. */
class RebuilderFailed extends Error {
  readonly reason: string;

  constructor(
    readonly projection: string,
    cause: unknown,
  ) {
    const reason = reasonOf(cause);
    super(`the rebuilder of ${projection} failed: ${reason}`, { cause });
    this.name = 'RebuilderFailed';
    this.reason = reason;
  }
}

/**
 * Rebuilds `targets` from the whole log, until it has caught up with the events appended meanwhile.
 * Takes every target's lease first (all or none). When a projection's rebuilder fails to read or
 * write, everything is rolled back and the rebuild runs again with no rebuilders, a page at a time,
 * so a failure names its event (and a passing cause, such as a dropped connection, costs one rerun).
 * @throws ProjectionLeasedError when a live instance holds a lease (nothing changed).
 * @throws RebuildFailedError when a projection throws on an event (nothing changed).
 */
export async function rebuildProjections(
  pool: pg.Pool,
  store: PostgresEventStore,
  targets: readonly RebuildTarget[],
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  try {
    return await rebuildOnce(pool, store, targets, options, true);
  } catch (error) {
    if (!(error instanceof RebuilderFailed)) throw error;
    (options.logger ?? silentLogger).warn(
      { projection: error.projection, reason: error.reason },
      'a rebuilder failed and nothing was changed; rebuilding again a page at a time, which names the failing event',
    );
    return await rebuildOnce(pool, store, targets, options, false);
  }
}

async function rebuildOnce(
  pool: pg.Pool,
  store: PostgresEventStore,
  targets: readonly RebuildTarget[],
  options: RebuildOptions,
  useRebuilders: boolean,
): Promise<RebuildResult> {
  const started = process.hrtime.bigint();
  const logger = options.logger ?? silentLogger;
  const owner = options.owner ?? `lethe-rebuild:${hostname()}:${process.pid}`;
  const running: Running[] = [];
  let read = 0;
  let position = 0n;
  try {
    for (const target of targets) {
      const lease = new ProcessorLease(pool, target.projection.name, {
        owner,
        heartbeatMs: 2_000,
        staleAfterMs: LEASE_STALE_AFTER_MS,
        logger,
        progress: () => position,
        ...(options.directConnection ? { directConnection: options.directConnection } : {}),
      });
      const acquired = await lease.tryAcquire();
      if (!acquired) {
        await lease.close();
        throw new ProjectionLeasedError(target.projection.name);
      }
      const rebuilder = useRebuilders ? target.projection.rebuilder?.() : undefined;
      running.push({ target, lease, handled: 0, ...(rebuilder ? { rebuilder } : {}) });
    }
    for (const r of running) {
      const client = await pool.connect();
      r.client = client;
      await client.query('begin');
      const name = r.target.projection.name;
      await client.query('insert into lethe_checkpoints (processor) values ($1) on conflict do nothing', [name]);
      // Held to the commit: a runner that somehow got past the lease waits here, then finds its fence moved.
      await client.query('select position from lethe_checkpoints where processor = $1 for update', [name]);
      for (const table of r.target.tables) await client.query(`delete from ${pg.escapeIdentifier(table)}`);
      await client.query('delete from lethe_dead_letters where processor = $1', [name]);
    }
    const count = await pool.query<{ n: string }>('select count(*) as n from lethe_events');
    options.onStart?.(Number(count.rows[0].n));
    const pageSize = options.pageSize ?? 1_000;
    let next = store.readPage(position, pageSize);
    for (;;) {
      const page = await next;
      if (page.events.length === 0) {
        if (!page.blocked) break;
        await new Promise((resolve) => setTimeout(resolve, HOLE_WAIT_MS));
        next = store.readPage(position, pageSize);
        continue;
      }
      const events = page.events;
      position = events[events.length - 1].position;
      // Read the next page while this one is projected.
      next = store.readPage(position, pageSize);
      next.catch(() => undefined);
      await Promise.all(running.map((r) => project(r, events)));
      read += events.length;
      options.onProgress?.({ events: read, position });
    }
    for (const r of running) {
      if (r.rebuilder) await rebuilderStep(r, () => r.rebuilder!.flush(r.client!, true));
      if (!r.lease.held) throw new Error(`lost the lease of ${r.target.projection.name} during the rebuild; nothing was changed`);
      await r.client!.query('update lethe_checkpoints set position = $2, updated_at = now() where processor = $1', [r.target.projection.name, position.toString()]);
    }
    // One projection's commit failing after another's succeeded still leaves each consistent with its own checkpoint.
    for (const r of running) {
      await r.client!.query('commit');
      r.client!.release();
      r.client = undefined;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { projections: running.map((r) => ({ name: r.target.projection.name, checkpoint: position, handled: r.handled })), events: read, seconds };
  } finally {
    for (const r of running) {
      if (r.client) {
        await r.client.query('rollback').catch(() => undefined);
        r.client.release();
      }
      await r.lease.release();
    }
  }
}

async function project(r: Running, events: readonly RecordedEvent[]): Promise<void> {
  const projection = r.target.projection;
  if (!r.lease.held) throw new Error(`lost the lease of ${projection.name} during the rebuild; nothing was changed`);
  const delivered: { event: RecordedEvent; as: Delivered<readonly Interest[]> }[] = [];
  for (const event of events) {
    const as = deliverable(projection.interests, event);
    if (as !== undefined) delivered.push({ event, as });
  }
  if (delivered.length === 0) return;
  const tx = r.client!;
  const rebuilder = r.rebuilder;
  if (rebuilder) {
    await rebuilderStep(r, () =>
      rebuilder.prepare(
        delivered.map((d) => d.as),
        tx,
      ),
    );
    for (const { event, as } of delivered) {
      try {
        rebuilder.fold(as);
      } catch (error) {
        throw new RebuildFailedError(projection.name, event, error);
      }
    }
    await rebuilderStep(r, () => rebuilder.flush(tx, false));
    r.handled += delivered.length;
    return;
  }
  if (projection.handleBatch) {
    await tx.query('savepoint rebuild_batch');
    try {
      await projection.handleBatch(
        delivered.map((d) => d.as),
        tx,
      );
      await tx.query('release savepoint rebuild_batch');
      r.handled += delivered.length;
      return;
    } catch {
      // Undo the batch and replay its events one by one, so the failure names its event.
      await tx.query('rollback to savepoint rebuild_batch');
    }
  }
  for (const { event, as } of delivered) {
    try {
      await projection.handle(as, tx);
    } catch (error) {
      throw new RebuildFailedError(projection.name, event, error);
    }
  }
  r.handled += delivered.length;
}

/** Runs a rebuilder's read or write; its failure becomes RebuilderFailed. */
async function rebuilderStep(r: Running, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    throw new RebuilderFailed(r.target.projection.name, error);
  }
}
