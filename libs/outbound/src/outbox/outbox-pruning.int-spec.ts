// Pruning over real PostgreSQL: what every sink has delivered goes once it is older than the
// retention; what a sink still owes or holds dead stays, whatever its age.
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { outboundMigrations } from './outbound.migrations.js';
import { pruneOutbox } from './outbox-pruning.js';

let db: TestDatabase;
let pool: pg.Pool;
let position = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, outboundMigrations);
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

beforeEach(async () => {
  await pool.query('delete from lethe_outbound_deliveries');
  await pool.query('delete from lethe_outbound_events');
});

/** An outbox event stored `ageDays` ago, with one delivery row per sink in the given state. */
async function stored(ageDays: number, deliveries: Record<string, 'pending' | 'delivered' | 'dead'>): Promise<string> {
  const id = randomUUID();
  position += 1;
  await pool.query(
    `insert into lethe_outbound_events (id, tenant_id, type, position, body, stored_at) values ($1, 'acme', 'shred.verified', $2, '{}', now() - make_interval(days => $3))`,
    [id, position, ageDays],
  );
  for (const [sink, state] of Object.entries(deliveries)) {
    await pool.query(`insert into lethe_outbound_deliveries (sink, event_id, tenant_id, position, state) values ($1, $2, 'acme', $3, $4)`, [sink, id, position, state]);
  }
  return id;
}

const remaining = async () => new Set((await pool.query<{ id: string }>('select id::text from lethe_outbound_events')).rows.map((r) => r.id));

describe('outbox pruning', () => {
  it('given events older than the retention, when pruned, then only those every sink delivered are dropped, with their delivery rows', async () => {
    await stored(40, { amqp: 'delivered', 'webhook:pager': 'delivered' });
    await stored(40, {});
    const stillOwed = await stored(40, { amqp: 'delivered', 'webhook:pager': 'pending' });
    const dead = await stored(40, { amqp: 'dead' });
    const young = await stored(5, { amqp: 'delivered' });

    expect(await pruneOutbox(pool, 30)).toBe(2);

    expect(await remaining()).toEqual(new Set([stillOwed, dead, young]));
    const rows = await pool.query<{ id: string }>('select distinct event_id::text as id from lethe_outbound_deliveries');
    expect(new Set(rows.rows.map((r) => r.id))).toEqual(new Set([stillOwed, dead, young]));
  });

  it('given more old events than one batch, when pruned, then it goes on batch after batch until none is left', async () => {
    for (let i = 0; i < 7; i++) await stored(31, { amqp: 'delivered' });
    const kept = await stored(29, { amqp: 'delivered' });
    expect(await pruneOutbox(pool, 30, 3)).toBe(7);
    expect(await remaining()).toEqual(new Set([kept]));
  });

  it('given two instances pruning at once, when both run, then each event is dropped once and nothing fails', async () => {
    for (let i = 0; i < 50; i++) await stored(60, { amqp: 'delivered' });
    const [a, b] = await Promise.all([pruneOutbox(pool, 30, 10), pruneOutbox(pool, 30, 10)]);
    expect(a + b).toBe(50);
    expect((await remaining()).size).toBe(0);
  });
});
