// A fresh database per test file on the run's server (see test/support/global-setup.js).
import pg from 'pg';
import { randomBytes } from 'node:crypto';

export interface TestDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

function adminUrl(): string {
  const url = process.env.LETHE_TEST_ADMIN_URL;
  if (!url) throw new Error('LETHE_TEST_ADMIN_URL is not set: run the tests through jest (test/support/global-setup.js)');
  return url;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = adminUrl();
  const name = `lethe_t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * For test pools: an idle client whose connection the server ends must not crash the test file
 * (pg emits 'error' on the pool); say so on stderr instead, so it is seen.
 */
export function reportIdleError(error: Error): void {
  process.stderr.write(`[test pool] idle connection ended: ${error.message}\n`);
}
