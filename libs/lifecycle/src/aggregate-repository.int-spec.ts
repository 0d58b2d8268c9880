// Events stored in an older shape, in PostgreSQL, load through the repositories in the current one:
// the deciders fold what the upcasters give them, with no defaults of their own.
import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { keyRingStream, tenantStream } from '@lethe/domain';
import { PostgresEventStore, eventStoreMigrations } from '@lethe/eventstore';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { KeyRingRepository } from './keys/key-ring-repository.js';
import { TenantRepository } from './tenants/tenant-repository.js';
import { CalendarWorkingDays } from './tenants/working-days.adapter.js';

let db: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;
const at = '2025-03-01T09:00:00.000Z';
const clock = new ManualClock(new Date('2026-01-05T12:00:00.000Z'));

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

it('loads a tenant onboarded before calendar v2 and the key ring policies with the defaults of that time', async () => {
  await appendV1Onboarding('oldco', '00000000-0000-4000-8000-000000000001');
  const { state, revision } = await new TenantRepository(store, clock, new CalendarWorkingDays()).load('oldco');
  expect(revision).toBe(0n);
  expect(state.partialHolidays).toBe('working');
  expect(state.profile).toMatchObject({ partialHolidays: 'working', rotationPeriodDays: 365, pitrRetentionDays: 35 });
  // The stored event is never rewritten.
  expect((await store.readStream(tenantStream('oldco')))[0].data).not.toHaveProperty('partialHolidays');
});

it('loads a key ring whose opening and backup predate the backup policy and backup protections', async () => {
  await store.append(
    keyRingStream('oldco'),
    [
      {
        id: '00000000-0000-4000-8000-000000000002',
        type: 'KeyRingOpened',
        data: { tenantId: 'oldco', keyId: 'k-1', keyCustody: 'managed', rotationPeriodDays: 365, version: { keyVersionId: 'kv-1', createdAt: at }, databases: ['db-1'], at },
        metadata: { schemaVersion: 1 },
      },
      {
        id: '00000000-0000-4000-8000-000000000003',
        type: 'BackupRecorded',
        data: { backupId: 'b-1', databaseId: 'db-1', kind: 'full', coveredFrom: at, takenAt: at, expiresAt: '2026-12-01T00:00:00.000Z', keyVersionIds: ['kv-1'], restoreKeyVersionId: 'kv-1', at },
        metadata: { schemaVersion: 1 },
      },
    ],
    'no-stream',
  );
  const { state } = await new KeyRingRepository(store, clock).load('oldco');
  expect(state.pitrRetentionDays).toBe(35);
  expect(state.backups).toEqual([expect.objectContaining({ backupId: 'b-1', protection: 'customer-key', unrestorable: null, deletedAt: null })]);
});

it('stamps what it appends with the current schema version of each type', async () => {
  const keys = new KeyRingRepository(store, clock);
  await keys.execute('oldco', { type: 'AddKeyVersion', data: { keyVersionId: 'kv-2', source: 'manual', createdAt: clock.now().toISOString() } }, 'spec:rotate');
  const stored = (await store.readStream(keyRingStream('oldco'))).at(-1)!;
  expect(stored).toMatchObject({ type: 'KeyVersionAdded', metadata: expect.objectContaining({ schemaVersion: 1 }) });
  await keys.execute(
    'oldco',
    { type: 'RecordBackup', data: { backupId: 'b-2', databaseId: 'db-1', kind: 'full', coveredFrom: clock.now().toISOString(), takenAt: clock.now().toISOString(), expiresAt: '2026-12-01T00:00:00.000Z', protection: 'customer-key' } },
    'spec:backup',
  );
  const backup = (await store.readStream(keyRingStream('oldco'))).find((e) => e.type === 'BackupRecorded' && (e.data as { backupId: string }).backupId === 'b-2')!;
  expect(backup.metadata).toMatchObject({ schemaVersion: 2 });
  expect(backup.data).toMatchObject({ protection: 'customer-key', unrestorable: null });
});

it('keeps a stream it found empty, and still sees the first event another instance appends to it', async () => {
  // Given a repository that loaded a tenant stream with no events (kept, so no snapshot is read again)
  const tenants = new TenantRepository(store, clock, new CalendarWorkingDays());
  expect(await tenants.load('lateco')).toMatchObject({ revision: 'no-stream', state: { exists: false } });
  // When another writer appends the stream's first event
  await appendV1Onboarding('lateco', '00000000-0000-4000-8000-000000000009');
  // Then the same repository's next load folds it
  const { state, revision } = await tenants.load('lateco');
  expect(revision).toBe(0n);
  expect(state.exists).toBe(true);
});

/** A tenant's first event as schema version 1 stored it (before calendar v2 and the key ring policies). */
async function appendV1Onboarding(tenantId: string, eventId: string): Promise<void> {
  await store.append(
    tenantStream(tenantId),
    [
      {
        id: eventId,
        type: 'TenantOnboarded',
        data: {
          tenantId,
          jurisdiction: 'DE-BY',
          timeZone: 'Europe/Berlin',
          excludedHolidayTypes: ['public', 'bank'],
          keyCustody: 'managed',
          backupKeyMode: 'customer',
          databases: [{ databaseId: 'db-1' }],
          shredGraceWorkingDays: 2,
          at,
        },
        metadata: { schemaVersion: 1 },
      },
    ],
    'no-stream',
  );
}

it('loadAtLeast answers from the kept state when it includes the revision asked, and reads the stream otherwise', async () => {
  let reads = 0;
  const counted = new Proxy(store, {
    get: (target, name, receiver) =>
      name === 'readStream' ? (...args: Parameters<PostgresEventStore['readStream']>) => (reads++, target.readStream(...args)) : Reflect.get(target, name, receiver),
  });
  // Given a repository that keeps the tenant's stream at revision 0
  const tenants = new TenantRepository(counted, clock, new CalendarWorkingDays());
  await appendV1Onboarding('lazyco', '00000000-0000-4000-8000-00000000000a');
  expect((await tenants.load('lazyco')).revision).toBe(0n);
  // When a processor asks for revision 0 or later, nothing is read
  reads = 0;
  expect((await tenants.loadAtLeast('lazyco', 0n)).revision).toBe(0n);
  expect(reads).toBe(0);
  // When another writer appends revision 1 and the processor asks for it, the stream is read and folded
  const requested = { requestId: 'r-1', requestedAt: at, receivedAt: at };
  await store.append(tenantStream('lazyco'), [{ id: '00000000-0000-4000-8000-00000000000b', type: 'DeletionRequested', data: requested }], 0n);
  expect((await tenants.loadAtLeast('lazyco', 1n)).revision).toBe(1n);
  expect(reads).toBe(1);
  // And a stream never loaded is read as load() reads it
  expect(await tenants.loadAtLeast('nobody', 0n)).toMatchObject({ revision: 'no-stream', state: { exists: false } });
  expect(reads).toBe(2);
});
