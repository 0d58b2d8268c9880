// The database an operator command works on, found as the engine finds it: DATABASE_URL and
// LETHE_DIRECT_DATABASE_URL, checked as at boot, or else the embedded PostgreSQL in LETHE_DATA_DIR.
import { join } from 'node:path';
import { checkDatabase, explainConnectError, postgresConnection, startEmbeddedPostgres, type EmbeddedServer } from '@lethe/postgres';
import type { EngineConfig } from '../../engine/src/config/engine-config.js';
import { databaseConnections, type DatabaseConnections } from '../../engine/src/infrastructure/database.js';

export interface CliDatabase {
  readonly connections: DatabaseConnections;
  /** Stops the embedded server when this command started it. */
  stop(): Promise<void>;
}

/**
 * The same connections and checks as the engine's boot: through a transaction-mode pooler a
 * session lock (the migration lock, a processor lease) would stay behind on a pooled session.
 * @throws DatabaseSettingError naming the setting to change.
 */
export async function openCliDatabase(config: EngineConfig): Promise<CliDatabase> {
  if (config.databaseUrl === undefined) {
    const embedded: EmbeddedServer = await startEmbeddedPostgres(join(config.dataDir, 'postgres'));
    const connection = postgresConnection({ url: embedded.url, setting: 'the embedded PostgreSQL' });
    return { connections: { pooled: connection, direct: connection, directSet: false }, stop: () => embedded.stop() };
  }
  const connections = databaseConnections({ ...config, databaseUrl: config.databaseUrl });
  try {
    await checkDatabase(connections.pooled, connections.direct, connections.directSet);
  } catch (error) {
    throw explainConnectError(error, connections.direct);
  }
  return { connections, stop: async () => undefined };
}
