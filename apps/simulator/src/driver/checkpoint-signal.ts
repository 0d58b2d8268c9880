// Tells the driver when a processor of the engine moved its checkpoint, so waiting for the engine to
// settle costs one look per move instead of a look every few milliseconds (each a query that takes
// CPU from the engine and PostgreSQL on a busy machine). A trigger the simulator adds to the run's
// own database notifies on every checkpoint write; the engine reads nothing of it.
import pg from 'pg';

const CHANNEL = 'simulator_checkpoints';

export interface CheckpointSignal {
  /** Notifications received so far: read it before a look, and pass it to `wait` after. */
  readonly seen: number;
  /**
   * Resolves once a notification arrived after `since` was read (at once if one already did), or
   * after `maxMs` of real time whatever happened (a processor waiting out a retry moves nothing).
   */
  wait(since: number, maxMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Adds the trigger (idempotent; needs the engine's tables) and listens on a connection of its own. */
export async function openCheckpointSignal(pool: pg.Pool, connectionString: string): Promise<CheckpointSignal> {
  await pool.query(`
    create or replace function simulator_checkpoint_moved() returns trigger language plpgsql as $$
    begin
      perform pg_notify('${CHANNEL}', '');
      return null;
    end $$;
    create or replace trigger simulator_checkpoints_moved after insert or update on lethe_checkpoints
      for each statement execute function simulator_checkpoint_moved();`);
  const client = new pg.Client({ connectionString });
  // A lost connection only makes waits run to their maxMs: the looks still decide.
  client.on('error', () => undefined);
  await client.connect();
  await client.query(`listen ${CHANNEL}`);
  let seen = 0;
  const waiters = new Set<() => void>();
  client.on('notification', () => {
    seen++;
    for (const wake of waiters) wake();
    waiters.clear();
  });
  return {
    get seen() {
      return seen;
    },
    wait(since, maxMs) {
      if (seen > since) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          resolve();
        }, maxMs);
        waiters.add(wake);
      });
    },
    close: () => client.end().catch(() => undefined),
  };
}
