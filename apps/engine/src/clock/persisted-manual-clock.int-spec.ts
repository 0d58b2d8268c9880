// Given what a database already holds, when a manual clock resumes, then it never starts behind it:
// neither behind the newest event nor behind the newest certificate signing key (a first start on the
// system clock, then a manual clock set in the past, would issue certificates outside their key's validity).
import pg from 'pg';
import { eventStoreMigrations } from '@lethe/eventstore';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { signingKeyMigrations } from '@lethe/vault';
import { manualClockMigrations } from './manual-clock.migrations.js';
import { ManualClockBehindEventsError, PersistedManualClock } from './persisted-manual-clock.js';

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

it('refuses to start behind the newest signing key, naming LETHE_CLOCK_START and that instant', async () => {
  await pool.query(`insert into lethe_signing_keys (key_id, algorithm, public_key_pem, valid_from) values ('k-1', 'Ed25519', 'pem', '2026-11-30T07:17:56.689Z')`);
  const behind = PersistedManualClock.resume(pool, new Date('2026-06-01T09:00:00.000Z'));
  await expect(behind).rejects.toBeInstanceOf(ManualClockBehindEventsError);
  await expect(behind).rejects.toThrow(/LETHE_CLOCK_START.*2026-11-30T07:17:56\.689Z/);
  const { clock } = await PersistedManualClock.resume(pool, new Date('2026-11-30T07:17:56.689Z'));
  expect(clock.now().toISOString()).toBe('2026-11-30T07:17:56.689Z');
});
