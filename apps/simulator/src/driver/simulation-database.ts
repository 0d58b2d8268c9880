// Where a simulation keeps its engine's state: a database of its own, never one with data in it.
// Without DATABASE_URL an embedded PostgreSQL in the run's folder; with it, a fresh database created
// on that server for the run (and dropped after it, unless kept for a look).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '@lethe/postgres';

export interface SimulationDatabase {
  /** Connection URL of the run's database (carries the password of an embedded server: never log it). */
  readonly url: string;
  /** What to print: the server and database, without credentials. */
  readonly description: string;
  /** Drops the run's database (unless `keep`) and stops an embedded server. */
  close(keep: boolean): Promise<void>;
}

/**
 * @param databaseUrl a server to create the run's database on (the role needs CREATEDB); undefined:
 *   an embedded server in `dataDir`/postgres.
 */
export async function openSimulationDatabase(databaseUrl: string | undefined, dataDir: string): Promise<SimulationDatabase> {
  if (databaseUrl === undefined) {
    const server = await startEmbeddedPostgres(join(dataDir, 'postgres'));
    return { url: server.url, description: `embedded PostgreSQL in ${join(dataDir, 'postgres')}`, close: () => server.stop() };
  }
  const name = `lethe_simulate_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    description: `database ${name} on ${url.hostname}:${url.port || '5432'}`,
    close: async (keep) => {
      if (keep) return;
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
