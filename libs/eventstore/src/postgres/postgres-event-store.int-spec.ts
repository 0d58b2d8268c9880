import pg from 'pg';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, type TestDatabase, reportIdleError } from '@lethe/testing';
import { eventStoreContract } from '../contract/event-store.contract.js';
import { eventStoreMigrations } from './migrations.js';
import { PostgresEventStore } from './postgres-event-store.js';

eventStoreContract('PostgreSQL', async () => {
  const db: TestDatabase = await createTestDatabase();
  await runMigrations(db.url, eventStoreMigrations);
  const pools: pg.Pool[] = [];
  const stores: PostgresEventStore[] = [];
  const open = () => {
    const pool = new pg.Pool({ connectionString: db.url, max: 10 });
    pool.on('error', reportIdleError);
    const store = new PostgresEventStore(pool, { pollIntervalMs: 100 });
    pools.push(pool);
    stores.push(store);
    return { pool, store };
  };
  const main = open();
  return {
    store: main.store,
    async appendWithDelayedCommit(streamId, events, delayMs) {
      const client = await main.pool.connect();
      try {
        await client.query('begin');
        await main.store.inTransaction(client).append(streamId, events, 'no-stream');
        await new Promise((r) => setTimeout(r, delayMs));
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw error;
      } finally {
        client.release();
      }
    },
    async otherStores(count) {
      return Array.from({ length: count }, () => open().store);
    },
    async dispose() {
      for (const s of stores) await s.close();
      for (const p of pools) await p.end();
      await db.drop();
    },
  };
});
