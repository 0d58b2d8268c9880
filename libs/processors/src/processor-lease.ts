// One owner per processor across instances: a session advisory lock on a dedicated, direct
// connection (never through a transaction-mode pooler, which would keep the lock on a pooled server
// session after its owner is gone). If the owner dies, PostgreSQL drops its connection and the lock with it. If the owner hangs
// with its connection open, its heartbeat goes stale and a standby terminates that backend.
// Correctness never rests on the lease alone: checkpoint writes are compare-and-set (fencing).
import pg from 'pg';
import type { ProcessorLogger } from './processor.js';

/** The advisory lock class of processor leases; the key within it is hashtext(processor name). */
export const LEASE_LOCK_CLASS = 4242;
/** By default, an owner whose heartbeat is older than this is hung: a standby ends its session. */
export const LEASE_STALE_AFTER_MS = 15_000;
/** How long (at least) a takeover waits for the stale holder's backend to exit, and how often it looks. */
const TERMINATE_WAIT_MS = 5_000;
const TERMINATE_POLL_MS = 20;

export interface LeaseOptions {
  readonly owner: string;
  readonly heartbeatMs: number;
  readonly staleAfterMs: number;
  readonly logger: ProcessorLogger;
  /** How far the processor got (handled or skipped), written with each heartbeat for readiness. */
  readonly progress?: () => bigint;
  /** Settings of the direct connection that holds the lock. Default: the pool's own settings. */
  readonly directConnection?: pg.ClientConfig;
}

export class ProcessorLease {
  private client: pg.Client | undefined;
  private standby: pg.Client | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private lostResolve: (() => void) | undefined;
  /** Resolves when a held lease is lost (connection dropped, heartbeat failed). */
  lost: Promise<void> = new Promise(() => undefined);

  constructor(
    private readonly pool: pg.Pool,
    private readonly processor: string,
    private readonly options: LeaseOptions,
  ) {}

  get held(): boolean {
    return this.client !== undefined;
  }

  async tryAcquire(): Promise<boolean> {
    // A standby keeps its session between attempts: one connection per processor, not one a second.
    const client = this.standby ?? (await this.connect());
    this.standby = undefined;
    try {
      let got = await this.tryLock(client);
      if (!got && (await this.takeOverStale(client))) got = await this.tryLock(client);
      if (!got) {
        this.standby = client;
        return false;
      }
      await client.query(
        `insert into lethe_processor_leases (processor, owner, backend_pid, position) values ($1, $2, pg_backend_pid(), greatest($3::bigint, coalesce((select position from lethe_checkpoints where processor = $1), 0)))
         on conflict (processor) do update
           set owner = excluded.owner, backend_pid = excluded.backend_pid, acquired_at = now(), heartbeat_at = now(), position = excluded.position`,
        [this.processor, this.options.owner, this.progress()],
      );
      this.client = client;
      this.lost = new Promise((resolve) => (this.lostResolve = resolve));
      this.heartbeat = setInterval(() => void this.beat(client), this.options.heartbeatMs);
      this.heartbeat.unref();
      return true;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  /** Ends the session kept between attempts (when the runner stops while on standby). */
  async close(): Promise<void> {
    const standby = this.standby;
    this.standby = undefined;
    await standby?.end().catch(() => undefined);
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client(this.options.directConnection ?? this.pool.options);
    client.on('error', () => {
      if (this.standby === client) {
        this.standby = undefined;
        void client.end().catch(() => undefined);
      }
      this.markLost(client);
    });
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
  }

  async release(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.stopHeartbeat();
    this.client = undefined;
    try {
      await client.query('delete from lethe_processor_leases where processor = $1 and owner = $2', [this.processor, this.options.owner]);
      await client.query('select pg_advisory_unlock($1, hashtext($2))', [LEASE_LOCK_CLASS, this.processor]);
    } catch {
      // The connection is gone, and the lock with it.
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async tryLock(client: pg.Client): Promise<boolean> {
    const res = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as ok', [LEASE_LOCK_CLASS, this.processor]);
    return res.rows[0].ok;
  }

  /** Ends the backend of an owner whose heartbeat is stale, if it still holds the lock. */
  private async takeOverStale(client: pg.Client): Promise<boolean> {
    const res = await client.query<{ pid: number; owner: string }>(
      // pg_locks spans the whole server: match this database, or a reused pid elsewhere could be hit.
      `select l.backend_pid as pid, l.owner from lethe_processor_leases l
        where l.processor = $1 and l.heartbeat_at < now() - make_interval(secs => $2::float8 / 1000)
          and exists (select 1 from pg_locks k
                       where k.locktype = 'advisory' and k.database = (select oid from pg_database where datname = current_database())
                         and k.classid = $3 and k.objid = hashtext($1)::oid and k.objsubid = 2 and k.pid = l.backend_pid and k.granted)`,
      [this.processor, this.options.staleAfterMs, LEASE_LOCK_CLASS],
    );
    if (res.rowCount === 0) return false;
    const { pid, owner } = res.rows[0];
    this.options.logger.warn({ processor: this.processor, staleOwner: owner }, 'taking over a processor lease whose heartbeat is stale');
    try {
      // pg_terminate_backend's timeout argument needs PostgreSQL 14; the engine runs on 13. The lock
      // is free once the backend has exited: wait for that here, so the takeover needs one try.
      await client.query('select pg_terminate_backend($1)', [pid]);
      for (let waited = 0; waited < TERMINATE_WAIT_MS; waited += TERMINATE_POLL_MS) {
        const alive = await client.query('select 1 from pg_stat_activity where pid = $1', [pid]);
        if (alive.rowCount === 0) break;
        await new Promise((resolve) => setTimeout(resolve, TERMINATE_POLL_MS));
      }
      return true;
    } catch (error) {
      this.options.logger.error({ processor: this.processor, err: (error as Error).message }, 'could not end the stale lease holder');
      return false;
    }
  }

  private async beat(client: pg.Client): Promise<void> {
    try {
      const res = await client.query(
        'update lethe_processor_leases set heartbeat_at = now(), position = greatest(position, $3) where processor = $1 and owner = $2',
        [this.processor, this.options.owner, this.progress()],
      );
      if (res.rowCount !== 1) this.markLost(client);
    } catch {
      this.markLost(client);
    }
  }

  private progress(): string {
    return (this.options.progress?.() ?? 0n).toString();
  }

  private markLost(client: pg.Client): void {
    if (this.client !== client) return;
    this.stopHeartbeat();
    this.client = undefined;
    void client.end().catch(() => undefined);
    this.options.logger.warn({ processor: this.processor }, 'processor lease lost');
    this.lostResolve?.();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
