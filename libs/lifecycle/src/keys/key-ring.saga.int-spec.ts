// The key-ring saga's retirement timers against real PostgreSQL (event store and lethe_deadlines), as
// its processor delivers the log: a recorded backup moves the timers of the versions it needs and of
// no other (the day's backups, on the newest version, leave a ring's timers as they are), and any
// other retention event derives them all again.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { keyRingStream, type KeyRingCommand } from '@lethe/domain';
import { PostgresEventStore, eventStoreMigrations } from '@lethe/eventstore';
import { inTransaction, runMigrations } from '@lethe/postgres';
import { deliverable, processorMigrations } from '@lethe/processors';
import { PostgresDeadlineStore, schedulerMigrations } from '@lethe/scheduler';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { KeyRingRepository } from './key-ring-repository.js';
import { KeyRingSaga } from './key-ring.saga.js';
import { KEY_RETIRE, retireTimerId } from './key-timers.js';

const DAY = 24 * 60 * 60 * 1000;
const clock = new ManualClock(new Date('2027-03-01T09:00:00.000Z'));
/** Day `offsetDays` of the ring under test (each test's ring starts where the clock is). */
let at: (offsetDays: number) => string;

let db: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;
let deadlines: PostgresDeadlineStore;
let keyRings: KeyRingRepository;
let saga: KeyRingSaga;

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...eventStoreMigrations, ...schedulerMigrations, ...processorMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
  store = new PostgresEventStore(pool);
  deadlines = new PostgresDeadlineStore(pool, clock);
  keyRings = new KeyRingRepository(store, clock);
  saga = new KeyRingSaga(keyRings, deadlines, { ensureFor: async () => undefined, cancelFor: async () => undefined }, clock);
});

afterAll(async () => {
  await store?.close();
  await pool?.end();
  await db?.drop();
});

/** Executes `commands` on the tenant's ring and hands the events they append to the saga in one batch, in a transaction. */
async function sagaSees(tenantId: string, commands: readonly KeyRingCommand[]): Promise<void> {
  let appended = 0;
  for (const command of commands) appended += (await keyRings.execute(tenantId, command, randomUUID())).appended.length;
  const batch = (await store.readStream(keyRingStream(tenantId))).slice(-appended).flatMap((e) => deliverable(saga.interests, e) ?? []);
  await inTransaction(pool, (tx) => saga.handleBatch(batch, tx));
}

const retireAt = async (tenantId: string, keyVersionId: string) => (await deadlines.get(retireTimerId(tenantId, keyVersionId)))?.dueAt.toISOString();

const backup = (backupId: string, coveredFrom: string, takenAt: string, expiresAt: string): KeyRingCommand => ({
  type: 'RecordBackup',
  data: { backupId, databaseId: 'db-1', kind: 'full', coveredFrom, takenAt, expiresAt, protection: 'customer-key' },
});

/** A ring whose database moved from vkv-1 to vkv-2 on day 0, with a 7-day point-in-time window: vkv-1 is kept until day 7. */
async function rotatedRing(): Promise<string> {
  const dayZero = clock.now().getTime() + DAY;
  clock.set(new Date(dayZero));
  at = (offsetDays) => new Date(dayZero + offsetDays * DAY).toISOString();
  const tenantId = `t-${randomUUID().slice(0, 8)}`;
  await sagaSees(tenantId, [
    {
      type: 'OpenKeyRing',
      data: {
        tenantId,
        keyId: `key-${tenantId}`,
        keyCustody: 'managed',
        rotationPeriodDays: 365,
        pitrRetentionDays: 7,
        version: { keyVersionId: 'vkv-1', createdAt: at(-30) },
        databases: ['db-1'],
      },
    },
    { type: 'AddKeyVersion', data: { keyVersionId: 'vkv-2', source: 'policy', createdAt: at(0) } },
    { type: 'RecordReprotection', data: { databaseId: 'db-1', fromKeyVersionId: 'vkv-1', toKeyVersionId: 'vkv-2' } },
  ]);
  expect(await retireAt(tenantId, 'vkv-1')).toBe(at(7));
  return tenantId;
}

it('given a superseded version, when a backup needing only the newest version is recorded, then its retirement timer is left as it is', async () => {
  const tenantId = await rotatedRing();
  // Moved by hand (as the timer's own handler re-arms it): only a derivation of it would move it back.
  const moved = new Date(Date.parse(at(5)));
  await deadlines.schedule(retireTimerId(tenantId, 'vkv-1'), moved, KEY_RETIRE, { tenantId, keyVersionId: 'vkv-1' });
  clock.set(new Date(at(1)));
  await sagaSees(tenantId, [backup('b-new', at(0.5), at(1), at(60))]);
  expect(await retireAt(tenantId, 'vkv-1')).toBe(moved.toISOString());
});

it('given a superseded version, when a backup needing it is recorded, then its timer moves to the backup expiry; when the backup is deleted, back to its floor', async () => {
  const tenantId = await rotatedRing();
  clock.set(new Date(at(1)));
  await sagaSees(tenantId, [backup('b-old', at(-2), at(1), at(90))]);
  expect(await retireAt(tenantId, 'vkv-1')).toBe(at(90));
  await sagaSees(tenantId, [{ type: 'DeleteBackup', data: { backupId: 'b-old' } }]);
  expect(await retireAt(tenantId, 'vkv-1')).toBe(at(7));
});

it('given one batch with a backup deleted and then a backup on the newest version, then every timer is derived again', async () => {
  const tenantId = await rotatedRing();
  clock.set(new Date(at(1)));
  await sagaSees(tenantId, [backup('b-old', at(-2), at(1), at(90))]);
  await sagaSees(tenantId, [{ type: 'DeleteBackup', data: { backupId: 'b-old' } }, backup('b-new', at(0.5), at(1), at(60))]);
  expect(await retireAt(tenantId, 'vkv-1')).toBe(at(7));
});
