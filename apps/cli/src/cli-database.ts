// The database an operator command works on, found as the engine finds it: DATABASE_URL and
// LETHE_DIRECT_DATABASE_URL, checked as at boot, or else the embedded PostgreSQL in LETHE_DATA_DIR.
// An engine running on that embedded PostgreSQL owns its server (a second server cannot start on the
// same cluster): the command connects to the running server, as it would to DATABASE_URL, and the
// command's own checks refuse what must not run beside an engine (the engine lock, processor leases).
import { join } from 'node:path';
import {
  checkDatabase,
  connectClient,
  explainConnectError,
  postgresConnection,
  runningEmbeddedPostgres,
  startEmbeddedPostgres,
  type EmbeddedServer,
} from '@lethe/postgres';
import type { EngineConfig } from '../../engine/src/config/engine-config.js';
import { databaseConnections, type DatabaseConnections } from '../../engine/src/infrastructure/database.js';

export interface CliDatabase {
  readonly connections: DatabaseConnections;
  /** Stops the embedded server when this command started it (never an engine's). */
  stop(): Promise<void>;
}

/**
 * The same connections and checks as the engine's boot: through a transaction-mode pooler a
 * session lock (the migration lock, a processor lease) would stay behind on a pooled session.
 * @throws DatabaseSettingError naming the setting to change; an Error naming the data folder when
 * its embedded PostgreSQL runs but cannot be reached, or cannot be started.
 */
export async function openCliDatabase(config: EngineConfig): Promise<CliDatabase> {
  if (config.databaseUrl === undefined) {
    const dir = join(config.dataDir, 'postgres');
    const embedded: EmbeddedServer = (await runningEngineServer(dir)) ?? (await startEmbeddedPostgres(dir));
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

/** The embedded server an engine already runs on `dir`, checked to answer; undefined when none runs. */
async function runningEngineServer(dir: string): Promise<EmbeddedServer | undefined> {
  let running: ReturnType<typeof runningEmbeddedPostgres>;
  try {
    running = runningEmbeddedPostgres(dir);
    if (!running) return undefined;
    const client = await connectClient(postgresConnection({ url: running.url, setting: 'the embedded PostgreSQL' }));
    await client.end();
    return running;
  } catch (error) {
    const pid = running ? ` (PostgreSQL process ${running.pid})` : '';
    throw new Error(
      `an engine is using the embedded PostgreSQL in ${dir}${pid}, and this command cannot connect to it ` +
        `(${error instanceof Error ? error.message : String(error)}): stop the engine first, or run the command as the engine's user`,
      { cause: error },
    );
  }
}
