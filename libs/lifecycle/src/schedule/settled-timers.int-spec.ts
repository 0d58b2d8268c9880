// Given a pending timer whose subject an event settles for good, when the saga that owns the timer
// sees the event (as its processor delivers it, in a transaction), then the timer is cancelled, so
// GET /v1/schedule no longer lists a check that could only be a no-op; and the timers that still have
// work are left alone. Real PostgreSQL (event store and lethe_deadlines).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { keyRingStream, tenantStream } from '@lethe/domain';
import { PostgresEventStore, eventStoreMigrations } from '@lethe/eventstore';
import { inTransaction, runMigrations } from '@lethe/postgres';
import { deliverable, processorMigrations } from '@lethe/processors';
import { PostgresDeadlineStore, schedulerMigrations } from '@lethe/scheduler';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { KeyRingRepository } from '../keys/key-ring-repository.js';
import { KeyRingSaga } from '../keys/key-ring.saga.js';
import { KEY_REPROTECT_OVERDUE, KEY_RETIRE, overdueTimerId, retireTimerId } from '../keys/key-timers.js';
import { ShredSaga } from '../shred/shred.saga.js';
import { SHRED_DEADLINE, SHRED_STEP, shredDeadlineId, shredStepId } from '../shred/shred-deadlines.js';
import { TenantRepository } from '../tenants/tenant-repository.js';
import { CalendarWorkingDays } from '../tenants/working-days.adapter.js';

const clock = new ManualClock(new Date('2027-01-04T09:00:00.000Z'));
const LATER = new Date('2027-01-20T00:00:00.000Z');

let db: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;
let deadlines: PostgresDeadlineStore;

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...eventStoreMigrations, ...schedulerMigrations, ...processorMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
  store = new PostgresEventStore(pool);
  deadlines = new PostgresDeadlineStore(pool, clock);
});

afterAll(async () => {
  await store?.close();
  await pool?.end();
  await db?.drop();
});

/** Appends `type` to `streamId` and runs `saga` on it in a transaction, as its processor would. */
async function sagaSees(saga: KeyRingSaga | ShredSaga, streamId: string, type: string, data: Record<string, unknown>): Promise<void> {
  await store.append(streamId, [{ id: randomUUID(), type, data: data as never }], 'any');
  const event = deliverable(saga.interests, (await store.readStream(streamId)).at(-1)!);
  if (!event) throw new Error(`${saga.name} does not follow ${type}`);
  await inTransaction(pool, (tx) => saga.handle(event as never, tx));
}

const status = async (id: string) => (await deadlines.get(id))?.status;

it('given a shred verified, then its pending deadline check is cancelled (its step timer is not touched)', async () => {
  const tenantId = `v-${randomUUID().slice(0, 8)}`;
  const shredId = 'termination:t-1';
  const payload = { tenantId, shredId };
  await deadlines.schedule(shredDeadlineId(tenantId, shredId), LATER, SHRED_DEADLINE, payload);
  await deadlines.schedule(shredStepId(tenantId, shredId), LATER, SHRED_STEP, payload);
  const saga = new ShredSaga(new TenantRepository(store, clock, new CalendarWorkingDays()), deadlines, store, clock);
  await sagaSees(saga, tenantStream(tenantId), 'ShredVerified', { shredId, attempt: 1, at: clock.now().toISOString() });
  expect(await status(shredDeadlineId(tenantId, shredId))).toBe('cancelled');
  expect(await status(shredStepId(tenantId, shredId))).toBe('pending');
});

it('given a key version retired, then its pending re-protection overdue check is cancelled (its other timers are not touched)', async () => {
  const tenantId = `r-${randomUUID().slice(0, 8)}`;
  const payload = { tenantId, keyVersionId: 'vkv-1' };
  await deadlines.schedule(overdueTimerId(tenantId, 'vkv-1'), LATER, KEY_REPROTECT_OVERDUE, payload);
  await deadlines.schedule(overdueTimerId(tenantId, 'vkv-2'), LATER, KEY_REPROTECT_OVERDUE, { tenantId, keyVersionId: 'vkv-2' });
  await deadlines.schedule(retireTimerId(tenantId, 'vkv-1'), LATER, KEY_RETIRE, payload);
  const detection = { ensureFor: async () => undefined, cancelFor: async () => undefined };
  const saga = new KeyRingSaga(new KeyRingRepository(store, clock), deadlines, detection, clock);
  await sagaSees(saga, keyRingStream(tenantId), 'KeyVersionRetired', { keyVersionId: 'vkv-1', retainUntil: clock.now().toISOString(), at: clock.now().toISOString() });
  expect(await status(overdueTimerId(tenantId, 'vkv-1'))).toBe('cancelled');
  expect(await status(overdueTimerId(tenantId, 'vkv-2'))).toBe('pending');
  expect(await status(retireTimerId(tenantId, 'vkv-1'))).toBe('pending');
});
