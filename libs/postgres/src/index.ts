export { runMigrations, pendingMigrations, type MigrationClass, type MigrationOptions } from './migrations.js';
export { startEmbeddedPostgres, runningEmbeddedPostgres, type EmbeddedServer } from './embedded.js';
export {
  postgresConnection,
  DatabaseSettingError,
  SSL_MODES,
  type SslMode,
  type ConnectionSettings,
  type PostgresConnection,
} from './connection.js';
export {
  connectClient,
  explainConnectError,
  serverVersion,
  requireSupportedVersion,
  isTransactionPooler,
  requireSameDatabase,
  checkDatabase,
  MIN_SERVER_VERSION,
  type ServerVersion,
} from './server-checks.js';
export { holdEngineLock, excludeEngines, EnginesRunningError, ENGINE_LOCK_CLASS, type HeldEngineLock, type EngineLockOptions } from './engine-lock.js';
export { inTransaction } from './transaction.js';
export { prepareStatements, type PrepareStatementsOptions } from './prepared-statements.js';
