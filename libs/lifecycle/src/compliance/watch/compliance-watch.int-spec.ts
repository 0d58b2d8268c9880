// Given a tenant's key ring in the event store, when the compliance watch's processor sees its events
// (as its runner delivers them, a run in one transaction) and its timer fires (the real poller), then
// violations open and close on `compliance-<tenantId>`, once each, and the tenant keeps one timer at the
// next instant the time alone may change its compliance. Real PostgreSQL (event store, lethe_deadlines).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { complianceCategory, keyRingStream } from '@lethe/domain';
import { PostgresEventStore, eventStoreMigrations } from '@lethe/eventstore';
import { inTransaction, runMigrations } from '@lethe/postgres';
import { deliverable, processorMigrations } from '@lethe/processors';
import { DeadlinePoller, PostgresDeadlineStore, schedulerMigrations } from '@lethe/scheduler';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { KeyRingRepository } from '../../keys/key-ring-repository.js';
import { KEY_ROTATION, rotationTimerId } from '../../keys/key-timers.js';
import { ComplianceCheckHandler, ROTATION_FIRST_MS } from './compliance-check.handler.js';
import { ComplianceJudge } from './compliance-judge.js';
import { COMPLIANCE_CHECK, complianceCheckTimerId } from './compliance-timers.js';
import { ComplianceWatchProcessor } from './compliance-watch.processor.js';
import { ComplianceWatchRepository } from './compliance-watch-repository.js';

const T0 = '2027-01-04T09:00:00.000Z';
const DAY = 24 * 60 * 60 * 1000;
const clock = new ManualClock(new Date(T0));

let db: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;
let deadlines: PostgresDeadlineStore;
let processor: ComplianceWatchProcessor;
let poller: DeadlinePoller;

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...eventStoreMigrations, ...schedulerMigrations, ...processorMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
  store = new PostgresEventStore(pool);
  deadlines = new PostgresDeadlineStore(pool, clock);
  const judge = new ComplianceJudge(new KeyRingRepository(store, clock), new ComplianceWatchRepository(store, clock), clock);
  processor = new ComplianceWatchProcessor(judge, deadlines);
  const handler = new ComplianceCheckHandler(judge, deadlines, clock, { warn: () => undefined });
  poller = new DeadlinePoller(pool, clock, { [COMPLIANCE_CHECK]: handler.handle, [KEY_ROTATION]: async () => undefined });
});

afterAll(async () => {
  await store?.close();
  await pool?.end();
  await db?.drop();
});

const opened = (tenantId: string, keyCustody: 'managed' | 'client', rotationPeriodDays: number, createdAt = T0) => ({
  type: 'KeyRingOpened',
  data: { tenantId, keyId: `key-${tenantId}`, keyCustody, rotationPeriodDays, pitrRetentionDays: 7, version: { keyVersionId: `${tenantId}-v1`, createdAt }, databases: ['db-1'], at: createdAt },
});

/** Appends the events to the tenant's key ring and hands them to the processor as one run, in a transaction. */
async function processorSees(tenantId: string, events: readonly { type: string; data: Record<string, unknown> }[]): Promise<void> {
  const stream = keyRingStream(tenantId);
  await store.append(stream, events.map((e) => ({ id: randomUUID(), type: e.type, data: e.data as never })), 'any');
  const delivered = (await store.readStream(stream)).slice(-events.length).map((e) => deliverable(processor.interests, e)!);
  await inTransaction(pool, (tx) => processor.handleBatch(delivered, tx));
}

const watch = async (tenantId: string) => (await store.readStream(complianceCategory.stream(tenantId))).map((e) => [e.type, (e.data as { violationId: string }).violationId]);
const timer = (tenantId: string) => deadlines.get(complianceCheckTimerId(tenantId));

it('a client-held key past 730 days opens P1 by the timer; the client\'s new version closes it, and the fired timer is armed again', async () => {
  await processorSees('client-co', [opened('client-co', 'client', 90), { type: 'DatabaseAdded', data: { databaseId: 'db-2', keyVersionId: 'client-co-v1', at: T0 } }]);
  expect(await watch('client-co')).toEqual([]);
  expect(await timer('client-co')).toMatchObject({ status: 'pending', dueAt: new Date(Date.parse(T0) + 730 * DAY) });

  clock.set(new Date(Date.parse(T0) + 730 * DAY));
  await poller.tick();
  expect(await watch('client-co')).toEqual([['ComplianceViolationOpened', 'P1:client-co:client-co-v1']]);
  // Nothing can change with the time alone any more: the timer ends, and fires no more.
  expect((await timer('client-co'))!.status).toBe('fired');
  await poller.tick();
  expect(await watch('client-co')).toHaveLength(1);

  const at = clock.now().toISOString();
  await processorSees('client-co', [{ type: 'KeyVersionAdded', data: { keyVersionId: 'client-co-v2', source: 'detected', createdAt: at, at } }]);
  expect(await watch('client-co')).toEqual([
    ['ComplianceViolationOpened', 'P1:client-co:client-co-v1'],
    ['ComplianceViolationClosed', 'P1:client-co:client-co-v1'],
  ]);
  // Armed again (P2 for db-1 and db-2, just after the new version's 24 hours), one row for the tenant.
  expect(await timer('client-co')).toMatchObject({ status: 'pending', dueAt: new Date(Date.parse(at) + DAY + 1) });
  expect((await pool.query(`select count(*)::int as n from lethe_deadlines where kind = $1 and payload->>'tenantId' = 'client-co'`, [COMPLIANCE_CHECK])).rows[0].n).toBe(1);
});

it('a managed key at its rotation instant: the check lets the due rotation go first instead of opening P1; a rotation not due does not hold it', async () => {
  const start = clock.now();
  const due = new Date(start.getTime() + 30 * DAY);
  await processorSees('late-co', [opened('late-co', 'managed', 30, start.toISOString())]);
  await processorSees('on-time-co', [opened('on-time-co', 'managed', 30, start.toISOString())]);
  expect((await timer('on-time-co'))!.dueAt).toEqual(due);
  // late-co's rotation is retried later (a vault outage): P1 is broken at its instant, and opens.
  await deadlines.schedule(rotationTimerId('late-co'), new Date(due.getTime() + DAY), KEY_ROTATION, { tenantId: 'late-co' });
  // on-time-co's rotation falls due with the check (the poller takes the check first: ids in order).
  await deadlines.schedule(rotationTimerId('on-time-co'), due, KEY_ROTATION, { tenantId: 'on-time-co' });

  clock.set(due);
  await poller.tick();
  expect(await watch('late-co')).toEqual([['ComplianceViolationOpened', 'P1:late-co:late-co-v1']]);
  expect(await watch('on-time-co')).toEqual([]);
  expect(await timer('on-time-co')).toMatchObject({ status: 'pending', dueAt: new Date(due.getTime() + ROTATION_FIRST_MS) });
});
