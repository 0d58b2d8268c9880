// Given a persisted manual clock in PostgreSQL, when MoveClockCommand runs, then the move is stored
// (a clock resumed later starts there), what the ticker fired is answered, and a move backwards or a
// clock that is not manual is refused.
import pg from 'pg';
import { ClockMovedBackwardsError, SystemClock } from '@lethe/clock';
import { eventStoreMigrations } from '@lethe/eventstore';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { signingKeyMigrations } from '@lethe/vault';
import type { FiredDeadline } from '@lethe/scheduler';
import { manualClockMigrations } from '../manual-clock.migrations.js';
import { NotManualClockError } from '../manual-clock-of.js';
import { PersistedManualClock } from '../persisted-manual-clock.js';
import { MoveClockCommand } from './move-clock.command.js';
import { MoveClockHandler } from './move-clock.handler.js';

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...eventStoreMigrations, ...signingKeyMigrations, ...manualClockMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', reportIdleError);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

/** A ticker that reports what it was asked to fire: the deadline poller's own behaviour is tested in libs/scheduler. */
function ticker(fired: FiredDeadline[]) {
  let ticks = 0;
  return { tick: async () => (ticks++, fired), ticks: () => ticks };
}

it('stores the move before firing, and answers what fired by the timers\' public names', async () => {
  const { clock } = await PersistedManualClock.resume(pool, new Date('2027-01-04T09:00:00.000Z'));
  const fired: FiredDeadline[] = [{ id: 'shred-step:acme', kind: 'shred-step' }];
  const t = ticker(fired);
  const answer = await new MoveClockHandler(clock, t).execute(new MoveClockCommand(new Date('2027-01-06T12:00:00.000Z')));
  expect(answer).toEqual({ now: '2027-01-06T12:00:00.000Z', fired: [{ id: 'shred-step:acme', kind: 'shred-execution' }] });
  expect(t.ticks()).toBe(1);
  // A restart configured with the old start resumes from the stored move.
  const { clock: resumed } = await PersistedManualClock.resume(pool, new Date('2027-01-04T09:00:00.000Z'));
  expect(resumed.now().toISOString()).toBe('2027-01-06T12:00:00.000Z');
});

it('refuses a move backwards and fires nothing', async () => {
  const { clock } = await PersistedManualClock.resume(pool, undefined);
  const t = ticker([]);
  await expect(new MoveClockHandler(clock, t).execute(new MoveClockCommand(new Date('2027-01-05T00:00:00.000Z')))).rejects.toBeInstanceOf(ClockMovedBackwardsError);
  expect(t.ticks()).toBe(0);
});

it('refuses with the system clock', async () => {
  await expect(new MoveClockHandler(new SystemClock(), ticker([])).execute(new MoveClockCommand(new Date('2027-01-05T00:00:00.000Z')))).rejects.toBeInstanceOf(NotManualClockError);
});
