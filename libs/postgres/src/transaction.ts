import type pg from 'pg';

/**
 * Runs `work` on one pooled client between `begin` and `commit`, and returns what it returned.
 *
 * If `work` or the commit throws, the transaction is rolled back and the error is rethrown unchanged. A client
 * whose rollback itself failed is released as broken, so the pool destroys it instead of handing a connection
 * in an unknown transaction state to the next caller.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}
