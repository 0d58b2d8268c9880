// The migration lock: a boot that finds another session migrating says so while it waits, then
// migrates once that session lets go.
import pg from 'pg';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@lethe/testing';
import { pendingMigrations, runMigrations } from './migrations.js';

class CreateProbeTable1700000000001 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('create table lock_probe (id int)');
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table lock_probe');
  }
}

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

it('given another session holding the migration lock, when migrating, then it reports the wait with the holder and migrates after the release', async () => {
  const holder = new pg.Client({ connectionString: db.url });
  await holder.connect();
  const holderPid = (await holder.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
  await holder.query('select pg_advisory_lock(4242001)');
  const waits: { pid: number | null; waitedMs: number }[] = [];
  const running = runMigrations(db.url, [CreateProbeTable1700000000001], { onWaiting: (pid, waitedMs) => waits.push({ pid, waitedMs }) });
  try {
    while (waits.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(waits[0]).toMatchObject({ pid: holderPid });
    expect(waits[0].waitedMs).toBeGreaterThanOrEqual(4_000);
  } finally {
    await holder.end();
  }
  expect(await running).toEqual(['CreateProbeTable1700000000001']);
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    expect(await pendingMigrations(pool, [CreateProbeTable1700000000001])).toEqual([]);
    // The lock went with the migration's own session. Other suites migrate their own databases at
    // the same time, so only this database's lock counts.
    const locks = await pool.query(
      `select 1 from pg_locks l join pg_database d on d.oid = l.database
        where l.locktype = 'advisory' and l.objid = 4242001 and d.datname = current_database()`,
    );
    expect(locks.rowCount).toBe(0);
  } finally {
    await pool.end();
  }
}, 30_000);
