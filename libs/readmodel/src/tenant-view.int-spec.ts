// The tenants view's folds against real PostgreSQL: whatever the order of the events, the page size
// and how many tenants a rebuild holds in memory, a rebuild (TenantViewFold across pages) and the live
// runner's handleBatch leave exactly the rows `handle` leaves one event at a time. The histories are
// the awkward ones: events of a tenant never onboarded, events before its onboarding (a state that
// does not exist writes nothing), several shreds (cancelled, then another), events about an older shred.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { tenantCategory } from '@lethe/domain';
import { PostgresEventStore, eventStoreMigrations, type JsonValue, type RecordedEvent } from '@lethe/eventstore';
import { runMigrations } from '@lethe/postgres';
import { deliverable, processorMigrations, rebuildProjections, RebuildFailedError } from '@lethe/processors';
import { createTestDatabase, reportIdleError, seededRandom, type TestDatabase } from '@lethe/testing';
import { TenantsProjection } from './tenant-view.js';
import { readModelMigrations } from './index.js';

let db: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...eventStoreMigrations, ...processorMigrations, ...readModelMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
  store = new PostgresEventStore(pool);
});

afterAll(async () => {
  await store?.close();
  await pool?.end();
  await db?.drop();
});

const TABLES = ['rm_tenants', 'rm_shreds'];
type NewEvent = { readonly type: string; readonly data: { readonly [field: string]: JsonValue } };

let clock = Date.parse('2027-01-04T09:00:00Z');
const at = () => new Date((clock += 60_000)).toISOString();
const calendar = { jurisdiction: 'GB-ENG', timeZone: 'Europe/London', calendarVersion: 1 };
const trigger = (id: string) => ({ kind: 'termination', terminationId: id, contractId: 'c-1' });
const onboarded = (tenantId: string, timeZone: string | null = 'Europe/London'): NewEvent => ({
  type: 'TenantOnboarded',
  data: {
    tenantId,
    jurisdiction: 'GB-ENG',
    timeZone,
    excludedHolidayTypes: [],
    partialHolidays: 'working',
    keyCustody: 'managed',
    backupKeyMode: 'customer',
    databases: [{ databaseId: 'db-1' }],
    shredGraceWorkingDays: 2,
    rotationPeriodDays: 90,
    pitrRetentionDays: 7,
    at: at(),
  },
});
const triggerRecorded = (id: string): NewEvent => ({
  type: 'ShredTriggerRecorded',
  data: { trigger: trigger(id), effectiveAt: at(), receivedAt: at(), disposition: 'recorded', shredId: null, at: at() },
});
const scheduled = (shredId: string): NewEvent => ({
  type: 'ShredScheduled',
  data: { shredId, trigger: trigger(shredId), effectiveAt: at(), receivedAt: at(), deadline: at(), executeAt: at(), deletionWorkingDays: 30, graceWorkingDays: 2, calendar },
});
const cancelled = (shredId: string): NewEvent => ({ type: 'ShredCancelled', data: { shredId, reason: 'contract renewed', withdrawsContractRevision: null, at: at() } });
const started = (shredId: string): NewEvent => ({ type: 'ShredExecutionStarted', data: { shredId, at: at() } });
const keyDestroyed = (shredId: string): NewEvent => ({
  type: 'KeyDestroyed',
  data: { shredId, keyId: 'k-1', versions: [{ keyVersionId: 'v-1', unusableAt: at(), purgedAt: null, purgeExpectedAt: at() }], at: at() },
});
const materialPurged = (shredId: string): NewEvent => ({ type: 'KeyMaterialPurged', data: { shredId, keyId: 'k-1', versions: [{ keyVersionId: 'v-1', purgedAt: at() }], at: at() } });
const assetsPurged = (shredId: string): NewEvent => ({ type: 'AssetsPurged', data: { shredId, assets: [{ kind: 'database', id: 'db-1', purgedAt: at() }], at: at() } });
const probed = (shredId: string, attempt: number): NewEvent => ({ type: 'ShredProbeRecorded', data: { shredId, attempt, outcome: 'key-destroyed', results: [], at: at() } });
const verified = (shredId: string): NewEvent => ({ type: 'ShredVerified', data: { shredId, attempt: 1, at: at() } });
const breached = (shredId: string): NewEvent => ({ type: 'ShredDeadlineBreached', data: { shredId, cause: 'deadline-passed', deadline: at(), at: at() } });
const deletionRequested = (): NewEvent => ({ type: 'DeletionRequested', data: { requestId: randomUUID(), requestedAt: at(), receivedAt: at() } });

/** Each tenant's history, in its own order. */
const histories = (): Record<string, NewEvent[]> => ({
  'never-onboarded': [triggerRecorded('g-1'), cancelled('g-s'), deletionRequested(), scheduled('g-s2'), started('g-s2')],
  'events-before-onboarding': [
    triggerRecorded('e-0'),
    scheduled('e-pre'),
    onboarded('events-before-onboarding'),
    scheduled('e-1'),
    cancelled('e-1'),
    scheduled('e-2'),
    breached('e-2'),
    started('e-2'),
    keyDestroyed('e-2'),
    probed('e-1', 1),
    materialPurged('e-2'),
    assetsPurged('e-2'),
    probed('e-2', 1),
    verified('e-2'),
  ],
  'three-shreds': [onboarded('three-shreds'), scheduled('s-1'), breached('s-1'), cancelled('s-1'), deletionRequested(), scheduled('s-2'), cancelled('s-2'), scheduled('s-3'), started('s-3'), verified('s-1')],
  quiet: [onboarded('quiet'), deletionRequested(), deletionRequested()],
  'late-onboarding': [deletionRequested(), onboarded('late-onboarding'), scheduled('l-1')],
});

/** The histories interleaved in a seeded order (each tenant's own order kept). */
function interleaved(seed: number): { tenantId: string; event: NewEvent }[] {
  const random = seededRandom(seed);
  const queues = Object.entries(histories()).map(([tenantId, events]) => ({ tenantId, events: [...events] }));
  const out: { tenantId: string; event: NewEvent }[] = [];
  for (let left = queues.filter((q) => q.events.length > 0); left.length > 0; left = queues.filter((q) => q.events.length > 0)) {
    const q = left[Math.floor(random() * left.length)];
    out.push({ tenantId: q.tenantId, event: q.events.shift()! });
  }
  return out;
}

async function rows(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of TABLES) out[table] = (await pool.query<{ row: string }>(`select t::text as row from ${table} t order by 1`)).rows.map((r) => r.row);
  return out;
}

async function theLog(): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (let position = 0n; ; ) {
    const page = await store.readPage(position, 1000);
    if (page.events.length === 0) return out;
    out.push(...page.events);
    position = page.events[page.events.length - 1].position;
  }
}

async function emptyLogAndViews(): Promise<void> {
  await pool.query('delete from lethe_events; delete from rm_tenants; delete from rm_shreds; delete from lethe_checkpoints');
}

/** What `handle` leaves, one event per call. */
async function rowsOneEventAtATime(): Promise<Record<string, string[]>> {
  const projection = new TenantsProjection();
  await pool.query('delete from rm_tenants; delete from rm_shreds');
  const client = await pool.connect();
  try {
    for (const event of await theLog()) {
      const delivered = deliverable(projection.interests, event);
      if (delivered) await projection.handle(delivered, client);
    }
  } finally {
    client.release();
  }
  return rows();
}

describe('the tenants view folded a page at a time or across pages', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('given tenant histories interleaved with seed %i, when rebuilt or batched any way, then the rows are those handle leaves', async (seed) => {
    await emptyLogAndViews();
    for (const { tenantId, event } of interleaved(seed)) await store.append(tenantCategory.stream(tenantId), [{ id: randomUUID(), ...event }], 'any');
    const expected = await rowsOneEventAtATime();
    expect(expected.rm_tenants).toHaveLength(4);

    for (const held of [0, 1, 2, 100]) {
      for (const pageSize of [1, 2, 3, 1000]) {
        // A stale row the rebuild must remove.
        await pool.query(`insert into rm_tenants select 'stale', status, jurisdiction, time_zone, key_custody, backup_key_mode, shred_grace_working_days, shred, onboarded_at, last_position, state from rm_tenants limit 1`);
        await rebuildProjections(pool, store, [{ projection: new TenantsProjection({ rebuildHeldTenants: held }), tables: TABLES }], { owner: 'spec', pageSize });
        expect({ held, pageSize, rows: await rows() }).toEqual({ held, pageSize, rows: expected });
      }
    }

    const projection = new TenantsProjection();
    const delivered = (await theLog()).flatMap((event) => deliverable(projection.interests, event) ?? []);
    for (const batch of [1, 2, 3, 7]) {
      await pool.query('delete from rm_tenants; delete from rm_shreds');
      const client = await pool.connect();
      try {
        for (let i = 0; i < delivered.length; i += batch) await projection.handleBatch(delivered.slice(i, i + batch), client);
      } finally {
        client.release();
      }
      expect({ batch, rows: await rows() }).toEqual({ batch, rows: expected });
    }
  }, 120_000);

  it('given an event whose row cannot be written, when rebuilt, then the failure names that event and nothing is changed', async () => {
    await emptyLogAndViews();
    await store.append(tenantCategory.stream('fine'), [{ id: randomUUID(), ...onboarded('fine') }], 'any');
    const bad = { id: randomUUID(), ...onboarded('no-time-zone', null) };
    await store.append(tenantCategory.stream('no-time-zone'), [bad], 'any');
    await pool.query(`insert into rm_tenants values ('before', 'active', 'GB-ENG', 'Europe/London', 'managed', 'customer', 2, 'null', now(), 1, '{}')`);
    const before = await rows();

    const failure = await rebuildProjections(pool, store, [{ projection: new TenantsProjection(), tables: TABLES }], { owner: 'spec' }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(RebuildFailedError);
    expect((failure as Error).message).toContain(`projection:tenants failed on event ${bad.id} (TenantOnboarded at position`);
    expect((failure as Error).message).toContain('time_zone');
    expect(await rows()).toEqual(before);
    expect((await pool.query(`select 1 from lethe_checkpoints where processor = 'projection:tenants' and position > 0`)).rowCount).toBe(0);
  });
});
