// The server the bench runs on: DATABASE_URL when set, else a throwaway embedded PostgreSQL.
// Either way the run gets a fresh database of its own, dropped at the end.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '@lethe/postgres';

export interface BenchDatabase {
  /** 'embedded' or 'DATABASE_URL'. */
  readonly source: string;
  /** Where the server is, password removed. */
  readonly server: string;
  /** `select version()`. */
  readonly version: string;
  readonly database: string;
  /** Connection string of the bench's own database. */
  readonly url: string;
  /** Another fresh database on the same server (for work that must not touch the bench's own); dropped by `dispose` too. */
  sibling(): Promise<string>;
  dispose(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

export async function openBenchDatabase(): Promise<BenchDatabase> {
  const fromEnv = process.env.DATABASE_URL;
  let adminUrl: string;
  let stopServer: () => Promise<void> = async () => undefined;
  let source: string;
  if (fromEnv) {
    adminUrl = fromEnv;
    source = 'DATABASE_URL';
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'lethe-bench-pg-'));
    // mkdtemp makes it 0700; as root, the server runs as user postgres and must reach the cluster below.
    chmodSync(dir, 0o755);
    const embedded = await startEmbeddedPostgres(dir);
    adminUrl = embedded.url;
    source = 'embedded';
    stopServer = async () => {
      try {
        await embedded.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
  }
  try {
    const database = `lethe_bench_${randomBytes(6).toString('hex')}`;
    await adminQuery(adminUrl, `create database ${database}`);
    const [{ version }] = await adminQuery<{ version: string }>(adminUrl, 'select version() as version');
    const u = new URL(adminUrl);
    const siblings: string[] = [];
    return {
      source,
      server: `${u.hostname}:${u.port || '5432'}`,
      version,
      database,
      url: withDatabase(adminUrl, database),
      async sibling() {
        const name = `lethe_bench_${randomBytes(6).toString('hex')}`;
        await adminQuery(adminUrl, `create database ${name}`);
        siblings.push(name);
        return withDatabase(adminUrl, name);
      },
      async dispose() {
        try {
          for (const name of siblings) {
            await adminQuery(adminUrl, `drop database if exists ${name} with (force)`).catch((e: unknown) => console.error(`could not drop ${name}: ${String(e)}`));
          }
          // pg's Pool.end() resolves before its sockets are closed; a plain drop waits (up to 5 s)
          // for those sessions to go, instead of killing them mid-goodbye.
          await adminQuery(adminUrl, `drop database if exists ${database}`).catch(() =>
            adminQuery(adminUrl, `drop database if exists ${database} with (force)`),
          );
        } finally {
          await stopServer();
        }
      },
    };
  } catch (error) {
    await stopServer();
    throw error;
  }
}
