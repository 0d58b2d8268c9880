// Applies the schema of every lib in one place, with TypeORM's migration table as the record of
// what ran. An advisory lock serialises instances that boot at the same moment.
import type { TlsOptions } from 'node:tls';
import pg from 'pg';
import { DataSource, type MigrationInterface } from 'typeorm';

export type MigrationClass = new () => MigrationInterface;

const MIGRATION_LOCK = 4_242_001;

/**
 * Applies what has not run yet and returns the names applied. `connection` must reach PostgreSQL
 * directly (not through a transaction-mode pooler): the lock is a session advisory lock.
 */
export interface MigrationOptions {
  /**
   * Called every LOCK_WAIT_REPORT_MS while another session holds the migration lock, with that
   * session's server process id (null if it just let go) and how long this one has waited.
   */
  readonly onWaiting?: (holderPid: number | null, waitedMs: number) => void;
}

export async function runMigrations(
  connection: string | (pg.ClientConfig & { connectionString: string }),
  migrations: readonly MigrationClass[],
  options: MigrationOptions = {},
): Promise<string[]> {
  const config = typeof connection === 'string' ? { connectionString: connection } : connection;
  const lock = new pg.Client(config);
  await lock.connect();
  try {
    await acquireMigrationLock(lock, options.onWaiting);
    const ds = new DataSource({
      type: 'postgres',
      url: config.connectionString,
      // TypeORM types its TLS options as tls.TlsOptions; pg's ConnectionOptions carry the same fields.
      ...(config.ssl ? { ssl: config.ssl as TlsOptions | true } : {}),
      migrations: [...migrations],
      migrationsTableName: 'lethe_migrations',
      migrationsTransactionMode: 'each',
      logging: false,
    });
    await ds.initialize();
    try {
      const ran = await ds.runMigrations();
      return ran.map((m) => m.name);
    } finally {
      await ds.destroy();
    }
  } finally {
    await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await lock.end();
  }
}

/** How often a wait for the migration lock is reported, and how often the lock is tried. */
const LOCK_WAIT_REPORT_MS = 5_000;
const LOCK_RETRY_MS = 250;

/** Waits for the lock without blocking in the server, so a wait is visible and the caller can say why it waits. */
async function acquireMigrationLock(lock: pg.Client, onWaiting: MigrationOptions['onWaiting']): Promise<void> {
  const started = performance.now();
  let reported = started;
  for (;;) {
    const got = await lock.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [MIGRATION_LOCK]);
    if (got.rows[0].ok) return;
    const now = performance.now();
    if (onWaiting && now - reported >= LOCK_WAIT_REPORT_MS) {
      reported = now;
      const holder = await lock.query<{ pid: number }>(
        `select pid from pg_locks where locktype = 'advisory' and granted and classid = 0 and objid = $1 and objsubid = 1
            and database = (select oid from pg_database where datname = current_database())`,
        [MIGRATION_LOCK],
      );
      onWaiting(holder.rows[0]?.pid ?? null, Math.round(now - started));
    }
    await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
  }
}

/** Names of the given migrations that the database has not applied yet (for readiness). */
export async function pendingMigrations(pool: pg.Pool, migrations: readonly MigrationClass[]): Promise<string[]> {
  const exists = await pool.query(`select to_regclass('lethe_migrations') is not null as present`);
  const applied = new Set<string>();
  if (exists.rows[0].present) {
    const rows = await pool.query<{ name: string }>('select name from lethe_migrations');
    for (const r of rows.rows) applied.add(r.name);
  }
  return migrations.map((m) => m.name).filter((n) => !applied.has(n));
}
