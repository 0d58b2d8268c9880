// The simulator's stand-in for autovacuum picks the tables autovacuum would (dead rows past its default
// trigger), vacuums them, and leaves the rest alone; on a server whose autovacuum is on it does nothing.
import pg from 'pg';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { vacuumDeadTables, vacuumStandIn } from './vacuum-stand-in.js';

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', reportIdleError);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

/** The table's dead rows as the statistics see them, once `settled` holds for them (or after 10 s). */
async function deadRows(table: string, settled: (dead: number) => boolean): Promise<number> {
  for (let i = 0; ; i++) {
    const r = await pool.query<{ dead: string }>('select coalesce(sum(n_dead_tup), 0)::text as dead from pg_stat_user_tables where relname = $1', [table]);
    const dead = Number(r.rows[0].dead);
    if (settled(dead) || i >= 100) return dead;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it('vacuums the tables whose dead rows passed 50 + 20% of their live rows, and only those', async () => {
  const client = await pool.connect();
  try {
    await client.query('create table churned (id int primary key, n int not null)');
    await client.query('create table quiet (id int primary key, n int not null)');
    await client.query('insert into churned select g, 0 from generate_series(1, 1000) g');
    await client.query('insert into quiet select g, 0 from generate_series(1, 1000) g');
    // 3,000 dead rows in churned; 100 in quiet, under its trigger of 250.
    for (let i = 0; i < 3; i++) await client.query('update churned set n = n + 1');
    await client.query('update quiet set n = 1 where id <= 100');
    await client.query('select pg_stat_force_next_flush()');
  } finally {
    client.release();
  }
  // Page pruning during the updates may already have removed a few of them.
  expect(await deadRows('churned', (n) => n >= 2500)).toBeGreaterThan(1000);
  const quietDead = await deadRows('quiet', (n) => n >= 100);
  expect(quietDead).toBeGreaterThan(0);
  expect(quietDead).toBeLessThanOrEqual(250);

  expect(await vacuumDeadTables(pool)).toEqual(['public.churned']);
  expect(await deadRows('churned', (n) => n === 0)).toBe(0);
  expect(await deadRows('quiet', () => true)).toBe(quietDead);
});

it('does nothing on a server whose autovacuum is on', async () => {
  const setting = (await pool.query<{ autovacuum: string }>('show autovacuum')).rows[0].autovacuum;
  const standIn = await vacuumStandIn(pool);
  expect(standIn.autovacuum).toBe(setting === 'on');
  if (standIn.autovacuum) expect(await standIn.maybeVacuum()).toEqual([]);
});
