// Where a simulation keeps its engine's state: a database of its own, never one with data in it.
// Without DATABASE_URL an embedded PostgreSQL in the run's folder; with it, a fresh database created
// on that server for the run (and dropped after it, unless kept for a look). Its commits do not wait
// for the disk (synchronous_commit off): the run's data is thrown away, and what a simulated crash
// (the engine killed) tests is unchanged, since PostgreSQL itself keeps running.
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
    await commitsWithoutWaiting(server.url);
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
  await commitsWithoutWaiting(url.toString());
  return {
    url: url.toString(),
    // A Unix socket's folder comes as ?host=: name it, not the URL's placeholder host.
    description: `database ${name} on ${url.searchParams.get('host') ?? url.hostname}:${url.port || '5432'}`,
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

/** Sets synchronous_commit off for the database at `url` (every later session of it). */
async function commitsWithoutWaiting(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`alter database ${client.escapeIdentifier(new URL(url).pathname.slice(1))} set synchronous_commit = off`);
  } finally {
    await client.end();
  }
}
