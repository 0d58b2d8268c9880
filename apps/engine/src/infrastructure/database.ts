// Where the engine's PostgreSQL comes from (DATABASE_URL and LETHE_DIRECT_DATABASE_URL, or an
// embedded server in the data folder), and the full list of migrations it applies at boot.
import { join } from 'node:path';
import pg from 'pg';
import { eventStoreMigrations } from '@lethe/eventstore';
import {
  checkDatabase,
  DatabaseSettingError,
  explainConnectError,
  isTransactionPooler,
  postgresConnection,
  prepareStatements,
  runMigrations,
  startEmbeddedPostgres,
  type EmbeddedServer,
  type MigrationClass,
  type PostgresConnection,
} from '@lethe/postgres';
import { outboundMigrations } from '@lethe/outbound';
import { processorMigrations } from '@lethe/processors';
import { readModelMigrations } from '@lethe/readmodel';
import { schedulerMigrations } from '@lethe/scheduler';
import { azureKeyVaultMigrations, pkcs11VaultMigrations, signingKeyMigrations, vaultMigrations } from '@lethe/vault';
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
  ...outboundMigrations,
  // The pkcs11 and azure-keyvault vaults' records (empty unless chosen): applied always, so switching needs no step.
  ...pkcs11VaultMigrations,
  ...azureKeyVaultMigrations,
];

export interface Database {
  /** Pooled queries (DATABASE_URL; may be a transaction-mode pooler): no session state goes through it. */
  readonly pooled: PostgresConnection;
  /** What needs a session: processor leases, LISTEN, the migration lock (LETHE_DIRECT_DATABASE_URL). */
  readonly direct: PostgresConnection;
  readonly pool: pg.Pool;
  /** The pool runs its parameterised statements as prepared statements (DATABASE_URL keeps sessions). */
  readonly preparedStatements: boolean;
  readonly embedded: boolean;
  close(): Promise<void>;
}

/** Connections the pool keeps at most (DATABASE_URL); the README's sizing of the pools builds on it. */
export const POOL_SIZE = 20;

/**
 * The engine's PostgreSQL, checked before anything relies on it: both URLs connect (TLS as their
 * sslmode says), the server is PostgreSQL 13 or newer, and the direct URL is no transaction-mode
 * pooler. Then the migrations run on the direct connection.
 * @throws DatabaseSettingError naming the setting to change.
 */
export async function openDatabase(config: EngineConfig, logger: Logger): Promise<Database> {
  let server: EmbeddedServer | undefined;
  let connections: DatabaseConnections;
  if (config.databaseUrl === undefined) {
    server = await startEmbeddedPostgres(join(config.dataDir, 'postgres'));
    logger.info({ dataDir: config.dataDir }, 'embedded PostgreSQL started (no DATABASE_URL set)');
    const embedded = postgresConnection({ url: server.url, setting: 'the embedded PostgreSQL' });
    connections = { pooled: embedded, direct: embedded, directSet: false };
  } else {
    connections = databaseConnections({ ...config, databaseUrl: config.databaseUrl });
  }
  const { pooled, direct } = connections;
  try {
    // The embedded server is ours and reached directly: nothing to probe.
    if (server === undefined) {
      const version = await checkDatabase(pooled, direct, connections.directSet);
      logger.info({ serverVersion: version.text, sslMode: pooled.sslMode, directSslMode: direct.sslMode }, 'PostgreSQL checked');
    }
    const applied = await runMigrations(direct.client, ENGINE_MIGRATIONS, { onWaiting: migrationLockWait(logger) });
    if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
  } catch (error) {
    await server?.stop();
    throw explainConnectError(error, direct);
  }
  const pool = new pg.Pool({ ...pooled.client, max: POOL_SIZE });
  // Prepared statements need the session kept: known for the embedded server and for a DATABASE_URL that
  // serves sessions too (checked above); probed when LETHE_DIRECT_DATABASE_URL is set beside it.
  const preparedStatements = !connections.directSet || !(await isTransactionPooler(pooled).catch(() => true));
  if (preparedStatements) prepareStatements(pool);
  logger.info({ preparedStatements }, preparedStatements ? 'pooled statements are prepared once per connection' : 'DATABASE_URL is a transaction-mode pooler: pooled statements are not prepared');
  // Once: a second pool.end() throws ("Called end on pool more than once").
  let closing: Promise<void> | undefined;
  // An idle client losing its connection must not crash the process; the pool replaces it. While the
  // engine stops, the server (embedded, or one stopping with it) closing connections is expected, not
  // news for ops: it is logged at debug then.
  pool.on('error', (error) => {
    if (closing === undefined) logger.warn({ err: error.message }, 'idle database connection lost');
    else logger.debug({ err: error.message }, 'idle database connection closed while stopping');
  });
  return {
    pooled,
    direct,
    pool,
    preparedStatements,
    embedded: server !== undefined,
    close() {
      closing ??= (async () => {
        await pool.end();
        await server?.stop();
      })();
      return closing;
    },
  };
}

export interface DatabaseConnections {
  readonly pooled: PostgresConnection;
  readonly direct: PostgresConnection;
  /** LETHE_DIRECT_DATABASE_URL was given (else the direct connection is DATABASE_URL's). */
  readonly directSet: boolean;
}

/**
 * DATABASE_URL and LETHE_DIRECT_DATABASE_URL as pg settings, with LETHE_DATABASE_CA_FILE (for the
 * engine and `lethe migrate`, which must judge them alike).
 * @throws DatabaseSettingError for a URL or CA file that cannot work.
 */
export function databaseConnections(config: Pick<EngineConfig, 'databaseUrl' | 'directDatabaseUrl' | 'databaseCaFile'> & { databaseUrl: string }): DatabaseConnections {
  const caFile = config.databaseCaFile === undefined ? undefined : { path: config.databaseCaFile, setting: 'LETHE_DATABASE_CA_FILE' };
  const pooled = postgresConnection({ url: config.databaseUrl, setting: 'DATABASE_URL', ...(caFile ? { caFile } : {}) });
  if (config.directDatabaseUrl === undefined) {
    refuseUnusedCa(caFile, pooled);
    return { pooled, direct: { ...pooled, setting: 'DATABASE_URL (used as LETHE_DIRECT_DATABASE_URL, which is unset)' }, directSet: false };
  }
  const direct = postgresConnection({ url: config.directDatabaseUrl, setting: 'LETHE_DIRECT_DATABASE_URL', ...(caFile ? { caFile } : {}) });
  refuseUnusedCa(caFile, pooled, direct);
  return { pooled, direct, directSet: true };
}

/** A CA file with no URL using TLS is a mistake that would leave the connection in plain text. */
function refuseUnusedCa(caFile: { setting: string } | undefined, ...connections: PostgresConnection[]): void {
  if (caFile && connections.every((c) => c.sslMode === 'disable')) {
    throw new DatabaseSettingError(
      `${caFile.setting}: set, but no database URL uses TLS (sslmode is disable or unset); add sslmode=verify-full to the URL`,
    );
  }
}

/** Says, every so often, that boot waits for another session's migration lock (and which process holds it). */
export function migrationLockWait(logger: Pick<Logger, 'warn'>): (holderPid: number | null, waitedMs: number) => void {
  return (holderPid, waitedMs) =>
    logger.warn({ holderPid, waitedMs }, 'waiting for the migration lock: another instance or `lethe migrate` is migrating this database');
}

/** Nest injection token for the engine's pg.Pool. */
export const PG_POOL = Symbol('PgPool');

/** Nest injection token for the engine's Database (both connections' settings). */
export const DATABASE = Symbol('Database');
