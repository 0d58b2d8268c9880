// The rotation timer's handler against real PostgreSQL: a client-held key past its rotation period is
// recorded due once per version, and said so once in the log, however many daily re-checks follow
// until the client rotates it.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { keyRingStream } from '@lethe/domain';
import { PostgresEventStore, eventStoreMigrations } from '@lethe/eventstore';
import { runMigrations } from '@lethe/postgres';
import type { Deadline, DeadlineFireContext } from '@lethe/scheduler';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { noCrash } from '../crash-points.js';
import { KeyRingRepository } from './key-ring-repository.js';
import { KeyRingHandlers } from './key-ring.handlers.js';
import { KEY_ROTATION, rotationTimerId } from './key-timers.js';

const DAY = 24 * 60 * 60 * 1000;
const clock = new ManualClock(new Date('2027-06-01T09:00:00.000Z'));

let db: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, eventStoreMigrations);
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
  store = new PostgresEventStore(pool);
});

afterAll(async () => {
  await store?.close();
  await pool?.end();
  await db?.drop();
});

it('given a client-held key past its rotation period, when its rotation timer fires on three days, then it is recorded due and warned about once, and looked at again each day', async () => {
  const keys = new KeyRingRepository(store, clock);
  const tenantId = `t-${randomUUID().slice(0, 8)}`;
  await keys.execute(
    tenantId,
    {
      type: 'OpenKeyRing',
      data: {
        tenantId,
        keyId: `key-${tenantId}`,
        keyCustody: 'client',
        rotationPeriodDays: 365,
        pitrRetentionDays: 7,
        version: { keyVersionId: 'vkv-1', createdAt: new Date(clock.now().getTime() - 400 * DAY).toISOString() },
        databases: ['db-1'],
      },
    },
    'open',
  );
  const warnings: { keyVersionId?: string; msg: string }[] = [];
  const logger = { info: () => undefined, error: () => undefined, warn: (fields: { keyVersionId?: string }, msg: string) => void warnings.push({ ...fields, msg }) };
  const handlers = new KeyRingHandlers(keys, { createVersion: fail, disable: fail, destroy: fail }, { reprotectDatabase: fail }, clock, logger as never, noCrash);
  const deadline = { id: rotationTimerId(tenantId), kind: KEY_ROTATION, payload: { tenantId } } as Deadline;
  const rechecks: string[] = [];
  for (let day = 0; day < 3; day++) {
    const context = { rescheduleAt: (at: Date) => void rechecks.push(at.toISOString()) } as unknown as DeadlineFireContext;
    await handlers.rotate(deadline, context);
    clock.advance(DAY);
  }
  const due = (await store.readStream(keyRingStream(tenantId))).filter((e) => e.type === 'KeyRotationDue');
  expect(due).toHaveLength(1);
  expect(warnings).toEqual([{ tenantId, keyVersionId: 'vkv-1', msg: 'client-held key is due for rotation' }]);
  expect(rechecks).toEqual([1, 2, 3].map((d) => new Date(Date.parse('2027-06-01T09:00:00.000Z') + d * DAY).toISOString()));
});

async function fail(): Promise<never> {
  throw new Error('not used by a client-held rotation');
}
