// inTransaction on real PostgreSQL: what the work wrote is committed when it returns, rolled back when
// it throws (the error passing through unchanged). A rollback that fails is not provoked here: pg-pool
// already drops a client whose connection died, so a test of that could not tell release(broken) apart.
import pg from 'pg';
import { createTestDatabase, reportIdleError, rejection, type TestDatabase } from '@lethe/testing';
import { inTransaction } from './transaction.js';

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', reportIdleError);
  await pool.query('create table tx_probe (id text primary key)');
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const stored = async (id: string) => (await pool.query('select 1 from tx_probe where id = $1', [id])).rowCount === 1;

describe('given work that writes', () => {
  it('when it returns, then its writes are committed and its result returned', async () => {
    const result = await inTransaction(pool, async (client) => {
      await client.query('insert into tx_probe (id) values ($1)', ['kept']);
      return 42;
    });
    expect(result).toBe(42);
    expect(await stored('kept')).toBe(true);
  });

  it('when it throws, then its writes are rolled back, the same error is thrown, and the client goes back to the pool', async () => {
    const thrown = new Error('work failed');
    const error = await rejection(
      inTransaction(pool, async (client) => {
        await client.query('insert into tx_probe (id) values ($1)', ['dropped']);
        throw thrown;
      }),
    );
    expect(error).toBe(thrown);
    expect(await stored('dropped')).toBe(false);
    expect(pool.totalCount - pool.idleCount).toBe(0);
  });
});
