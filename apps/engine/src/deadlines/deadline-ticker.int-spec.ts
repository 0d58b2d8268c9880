// The ticker runs the poller with this instance's name and lease, and reports its last drain for a
// readiness check: when it ended (real time) and whether it failed.
import pg from 'pg';
import { pino } from 'pino';
import { SchedulerRegistry } from '@nestjs/schedule';
import { ManualClock } from '@lethe/clock';
import { runMigrations } from '@lethe/postgres';
import { PostgresDeadlineStore, schedulerMigrations } from '@lethe/scheduler';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { loadConfig } from '../config/engine-config.js';
import { DeadlineTicker } from './deadline-ticker.service.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...schedulerMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

function ticker(roles: string, handlers: ConstructorParameters<typeof DeadlineTicker>[3]): DeadlineTicker {
  const config = loadConfig({
    LETHE_ROLES: roles,
    LETHE_INSTANCE_ID: 'ticker-under-test',
    LETHE_DEADLINE_LEASE_MS: '4000',
    LETHE_DEADLINE_POLL_MS: '60000',
  });
  return new DeadlineTicker(config, pool, new ManualClock(T0), handlers, pino({ level: 'silent' }), new SchedulerRegistry());
}

it('claims as this instance for LETHE_DEADLINE_LEASE_MS, and reports when its last drain ended and whether it failed', async () => {
  const claims: { claimed_by: string; lease_ms: number }[] = [];
  const t = ticker('poller', {
    work: async (d) => {
      const r = await pool.query<{ claimed_by: string; lease_ms: number }>(
        `select claimed_by, extract(epoch from claimed_until - now())::float8 * 1000 as lease_ms from lethe_deadlines where id = $1`,
        [d.id],
      );
      claims.push(r.rows[0]!);
    },
  });
  expect(t.status()).toEqual({ enabled: false, lastTickAt: null, lastError: null, draining: false, startedAt: null });
  t.onApplicationBootstrap();
  try {
    expect(t.status()).toMatchObject({ enabled: true, lastTickAt: null, lastError: null, draining: false, startedAt: expect.any(Date) });
    await new PostgresDeadlineStore(pool, new ManualClock(T0)).schedule('d-1', T0, 'work', null);

    const before = new Date();
    expect(await t.tick()).toEqual([{ id: 'd-1', kind: 'work' }]);
    expect(claims).toHaveLength(1);
    expect(claims[0]!.claimed_by).toBe('ticker-under-test');
    expect(claims[0]!.lease_ms).toBeGreaterThan(3000);
    expect(claims[0]!.lease_ms).toBeLessThanOrEqual(4000);
    let status = t.status();
    expect(status.lastError).toBeNull();
    expect(status.lastTickAt!.getTime()).toBeGreaterThanOrEqual(before.getTime()); // real time, not the manual clock's
    expect(status.lastTickAt!.getTime()).toBeLessThanOrEqual(Date.now());

    // A failing drain: reported by its SQLSTATE (undefined table), never by its message.
    await pool.query('alter table lethe_deadlines rename to lethe_deadlines_away');
    try {
      expect(await t.tick()).toEqual([]);
      status = t.status();
      expect(status.lastError).toBe('42P01');
      expect(status.lastTickAt!.getTime()).toBeGreaterThanOrEqual(before.getTime());
    } finally {
      await pool.query('alter table lethe_deadlines_away rename to lethe_deadlines');
    }
    await t.tick();
    expect(t.status().lastError).toBeNull();
  } finally {
    await t.beforeApplicationShutdown();
  }
});

it('is disabled on an instance without the poller role', async () => {
  const t = ticker('api', {});
  t.onApplicationBootstrap();
  expect(await t.tick()).toEqual([]);
  expect(t.status()).toEqual({ enabled: false, lastTickAt: null, lastError: null, draining: false, startedAt: null });
  await t.beforeApplicationShutdown();
});
