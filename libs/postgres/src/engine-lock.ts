// The engine lock: every running engine holds it SHARED, on a session of its own on the direct
// connection, from before it checks the master key until it stops; an operator command that must not
// run beside any engine (`lethe master-key rotate`) takes it EXCLUSIVELY, or refuses. It is a session
// advisory lock, so it dies with its session: a killed engine holds nothing.
//
// An engine that boots while the exclusive holder works waits for it (saying so), then carries on
// with its own checks. An engine whose session drops (a database restart, a network cut) takes the lock
// again as soon as it can and is told (onRestored), so it can check that nothing it relies on changed
// while it held nothing.
import pg from 'pg';

/** Advisory lock class of the engine lock (two-key form: classid = this, objid = ENGINE_LOCK_KEY). */
export const ENGINE_LOCK_CLASS = 4_242_004;
const ENGINE_LOCK_KEY = 1;
/** How often a waiting engine tries again, and how often it says it still waits. */
const RETRY_MS = 250;
const WAIT_REPORT_MS = 5_000;
/** How often an engine whose lock session dropped tries to take the lock again. */
const RESTORE_RETRY_MS = 1_000;

/** Engines hold the engine lock: the operator command would race them. Nothing was changed. */
export class EnginesRunningError extends Error {
  constructor(
    /** Sessions holding the engine lock (one per running engine). */
    readonly engines: number,
  ) {
    super(
      `engines are running against this database (${engines} session${engines === 1 ? ' holds' : 's hold'} the engine lock): ` +
        'stop every engine instance (all roles), and let any other `lethe master-key rotate` finish, then try again',
    );
    this.name = 'EnginesRunningError';
  }
}

export interface HeldEngineLock {
  /** Lets go of the lock and ends its session. */
  release(): Promise<void>;
}

export interface EngineLockOptions {
  /** Called every WAIT_REPORT_MS while an exclusive holder keeps this engine waiting at boot. */
  readonly onWaiting?: (waitedMs: number) => void;
  /** Called between attempts while waiting at boot; throwing (e.g. a stop requested) ends the wait. */
  readonly checkpoint?: () => void;
  /** The lock's session dropped: this engine holds no lock until onRestored. */
  readonly onLost?: () => void;
  /** The lock is held again after a loss (after any exclusive holder let go). */
  readonly onRestored?: () => void | Promise<void>;
}

async function connect(connection: pg.ClientConfig, onError: (client: pg.Client) => void): Promise<pg.Client> {
  const client = new pg.Client(connection);
  client.on('error', () => onError(client));
  client.on('end', () => onError(client));
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

async function tryShared(client: pg.Client): Promise<boolean> {
  const res = await client.query<{ ok: boolean }>('select pg_try_advisory_lock_shared($1, $2) as ok', [ENGINE_LOCK_CLASS, ENGINE_LOCK_KEY]);
  return res.rows[0].ok;
}

/**
 * The engine side: takes the lock shared on a new session of `connection` (a direct connection, never
 * a transaction-mode pooler), waiting while an operator command holds it, and keeps it until release.
 * @throws what `connection` throws on connecting, or what `checkpoint` throws while waiting.
 */
export async function holdEngineLock(connection: pg.ClientConfig, options: EngineLockOptions = {}): Promise<HeldEngineLock> {
  let current: pg.Client | undefined;
  let released = false;
  let restoring: NodeJS.Timeout | undefined;

  const lost = (client: pg.Client) => {
    if (released || current !== client) return;
    current = undefined;
    void client.end().catch(() => undefined);
    options.onLost?.();
    scheduleRestore();
  };
  const scheduleRestore = () => {
    if (released || restoring) return;
    restoring = setTimeout(() => {
      restoring = undefined;
      void restore();
    }, RESTORE_RETRY_MS);
    restoring.unref();
  };
  const restore = async () => {
    let client: pg.Client | undefined;
    try {
      client = await connect(connection, lost);
      if (released || !(await tryShared(client))) throw new Error('not yet');
      // Released while this attempt was under way: the lock it just took must not outlive the engine.
      if (released) throw new Error('released');
      current = client;
    } catch {
      await client?.end().catch(() => undefined);
      scheduleRestore();
      return;
    }
    // The callback reports its own failures; one must not become an unhandled rejection here.
    await Promise.resolve()
      .then(() => options.onRestored?.())
      .catch(() => undefined);
  };

  const first = await connect(connection, lost);
  try {
    const started = performance.now();
    let reported = started;
    while (!(await tryShared(first))) {
      options.checkpoint?.();
      const now = performance.now();
      if (options.onWaiting && now - reported >= WAIT_REPORT_MS) {
        reported = now;
        options.onWaiting(Math.round(now - started));
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  } catch (error) {
    await first.end().catch(() => undefined);
    throw error;
  }
  current = first;
  return {
    async release() {
      released = true;
      clearTimeout(restoring);
      const client = current;
      current = undefined;
      // Ending the session lets go of the lock.
      await client?.end().catch(() => undefined);
    },
  };
}

/**
 * The operator side: takes the lock exclusively on a new session of `connection`, without waiting.
 * @throws EnginesRunningError when engines hold it (nothing is held then).
 */
export async function excludeEngines(connection: pg.ClientConfig): Promise<HeldEngineLock> {
  const client = await connect(connection, () => undefined);
  try {
    const got = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [ENGINE_LOCK_CLASS, ENGINE_LOCK_KEY]);
    if (!got.rows[0].ok) {
      // pg_locks spans the whole server: this database's holders only.
      const holders = await client.query<{ n: number }>(
        `select count(distinct pid)::int as n from pg_locks
          where locktype = 'advisory' and granted and classid = $1 and objid = $2 and objsubid = 2
            and database = (select oid from pg_database where datname = current_database())`,
        [ENGINE_LOCK_CLASS, ENGINE_LOCK_KEY],
      );
      throw new EnginesRunningError(holders.rows[0].n);
    }
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return {
    async release() {
      await client.end().catch(() => undefined);
    },
  };
}
