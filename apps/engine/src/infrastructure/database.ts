// Where the engine's PostgreSQL comes from (DATABASE_URL, or an embedded server in the data
// folder), and the full list of migrations it applies at boot.
import { join } from 'node:path';
import pg from 'pg';
import { eventStoreMigrations } from '@lethe/eventstore';
import { runMigrations, startEmbeddedPostgres, type EmbeddedServer, type MigrationClass } from '@lethe/postgres';
import { processorMigrations } from '@lethe/processors';
import { readModelMigrations } from '@lethe/readmodel';
import { schedulerMigrations } from '@lethe/scheduler';
import { signingKeyMigrations, vaultMigrations } from '@lethe/vault';
import { certificateMigrations, snapshotMigrations } from '@lethe/lifecycle';
import { dataplaneMigrations } from '@lethe/dataplane';
import { idempotencyMigrations } from '../http/idempotency/idempotency.migrations.js';
import { manualClockMigrations } from '../clock/manual-clock.migrations.js';
import type { Logger } from 'pino';
import type { EngineConfig } from '../config/engine-config.js';

export const ENGINE_MIGRATIONS: readonly MigrationClass[] = [
  ...eventStoreMigrations,
  ...processorMigrations,
  ...schedulerMigrations,
  ...readModelMigrations,
  ...vaultMigrations,
  ...dataplaneMigrations,
  ...idempotencyMigrations,
  ...signingKeyMigrations,
  ...certificateMigrations,
  ...snapshotMigrations,
  ...manualClockMigrations,
];

export interface Database {
  readonly url: string;
  readonly pool: pg.Pool;
  readonly embedded: boolean;
  close(): Promise<void>;
}

export async function openDatabase(config: EngineConfig, logger: Logger): Promise<Database> {
  let server: EmbeddedServer | undefined;
  let url = config.databaseUrl;
  if (url === undefined) {
    server = await startEmbeddedPostgres(join(config.dataDir, 'postgres'));
    url = server.url;
    logger.info({ dataDir: config.dataDir }, 'embedded PostgreSQL started (no DATABASE_URL set)');
  }
  const applied = await runMigrations(url, ENGINE_MIGRATIONS);
  if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', (error) => logger.warn({ err: error.message }, 'idle database connection lost'));
  return {
    url,
    pool,
    embedded: server !== undefined,
    async close() {
      await pool.end();
      await server?.stop();
    },
  };
}

/** Nest injection token for the engine's pg.Pool. */
export const PG_POOL = Symbol('PgPool');
