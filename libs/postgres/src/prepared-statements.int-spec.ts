// prepareStatements on real PostgreSQL: a pool's parameterised statements become named prepared
// statements of each connection (pg_prepared_statements shows them), answer as before, in transactions
// too, and a result type changed by another session's migration is answered unnamed instead of failing.
import pg from 'pg';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { prepareStatements } from './prepared-statements.js';
import { inTransaction } from './transaction.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

/** A pool of one connection, so what it prepared can be read on that connection. */
function onePool(options?: Parameters<typeof prepareStatements>[1]): pg.Pool {
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  pool.on('error', reportIdleError);
  prepareStatements(pool, options);
  return pool;
}

const preparedTexts = async (pool: pg.Pool) =>
  (await pool.query<{ statement: string }>('select statement from pg_prepared_statements order by prepare_time')).rows.map((r) => r.statement);

describe('prepareStatements', () => {
  it('given parameterised statements, when run again and again, then each text is prepared once on the connection and answers every time', async () => {
    const pool = onePool();
    try {
      for (const n of [1, 2, 3]) expect((await pool.query<{ n: number }>('select $1::int * 2 as n', [n])).rows).toEqual([{ n: n * 2 }]);
      // A transaction's client is the same connection: the same name, no second prepare
      const inTx = await inTransaction(pool, async (client) => (await client.query<{ n: number }>('select $1::int * 2 as n', [5])).rows[0].n);
      expect(inTx).toBe(10);
      // Statements without values (begin, commit, this one) run unnamed
      expect(await preparedTexts(pool)).toEqual(['select $1::int * 2 as n']);
    } finally {
      await pool.end();
    }
  });

  it('given a statement whose result type another session changed, then it answers unnamed, with the new columns', async () => {
    const pool = onePool();
    const other = new pg.Pool({ connectionString: db.url, max: 1 });
    try {
      await other.query('create table migrated (id int primary key)');
      await other.query('insert into migrated values (1)');
      expect((await pool.query('select * from migrated where id = $1', [1])).rows).toEqual([{ id: 1 }]);
      // When a migration adds a column, by promise and by callback (pool.query's form)
      await other.query("alter table migrated add column note text not null default 'added'");
      expect((await pool.query('select * from migrated where id = $1', [1])).rows).toEqual([{ id: 1, note: 'added' }]);
      const client = await pool.connect();
      try {
        expect((await client.query('select * from migrated where id = $1', [1])).rows).toEqual([{ id: 1, note: 'added' }]);
      } finally {
        client.release();
      }
    } finally {
      await pool.end();
      await other.end();
    }
  });

  it('given more distinct texts than maxStatements, then the later ones run unnamed', async () => {
    const pool = onePool({ maxStatements: 2 });
    try {
      for (const op of ['+', '-', '*']) expect((await pool.query<{ n: number }>(`select $1::int ${op} 1 as n`, [4])).rows[0].n).toBe(op === '+' ? 5 : op === '-' ? 3 : 4);
      expect(await preparedTexts(pool)).toEqual(['select $1::int + 1 as n', 'select $1::int - 1 as n']);
    } finally {
      await pool.end();
    }
  });
});
