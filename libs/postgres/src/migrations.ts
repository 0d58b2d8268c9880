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
export async function runMigrations(
  connection: string | (pg.ClientConfig & { connectionString: string }),
  migrations: readonly MigrationClass[],
): Promise<string[]> {
  const config = typeof connection === 'string' ? { connectionString: connection } : connection;
  const lock = new pg.Client(config);
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
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
