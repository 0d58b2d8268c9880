// Key version detection, one durable timer per key ring, against real PostgreSQL and the local vault:
// every ring is checked, a destroyed ring stops being checked, one tenant's vault failure does not
// hold up the others, and a restart (new instances, same database) resumes the schedule as it was.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { keyRingStream, tenantStream } from '@lethe/domain';
import { PostgresEventStore, eventStoreMigrations } from '@lethe/eventstore';
import { inTransaction, runMigrations } from '@lethe/postgres';
import { deliverable, processorMigrations } from '@lethe/processors';
import { readModelMigrations } from '@lethe/readmodel';
import { DeadlinePoller, PostgresDeadlineStore, schedulerMigrations } from '@lethe/scheduler';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { LocalKeyVault, MasterKey, vaultMigrations, type KeyVault } from '@lethe/vault';
import { DETECTION_RETRY_MS, KeyDetection, KEY_DETECTION, FLEET_DETECTION_TIMER, keyDetectionTimerId } from './key-detection.js';
import { KeyRingRepository } from './key-ring-repository.js';
import { KeyRingSaga } from './key-ring.saga.js';

const INTERVAL_MS = 15 * 60 * 1000;
const clock = new ManualClock(new Date('2026-03-02T09:00:00.000Z'));
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

let db: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;
let vault: LocalKeyVault;
let deadlines: PostgresDeadlineStore;
let keyRings: KeyRingRepository;
/** Tenants whose vault listing fails (an outage of that tenant's key only). */
const failing = new Set<string>();
const keyIds = new Map<string, string>();
const warnings: object[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...eventStoreMigrations, ...schedulerMigrations, ...vaultMigrations, ...processorMigrations, ...readModelMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 8 });
  pool.on('error', reportIdleError);
  store = new PostgresEventStore(pool);
  vault = new LocalKeyVault(pool, MasterKey.generate(), clock);
  deadlines = new PostgresDeadlineStore(pool, clock);
  keyRings = new KeyRingRepository(store, clock);
});

afterAll(async () => {
  await store?.close();
  await pool?.end();
  await db?.drop();
});

/** One engine instance's detection: its own service, detection and poller over the shared database. */
function instance(rings: KeyRingRepository = keyRings) {
  const listing: Pick<KeyVault, 'createVersion' | 'listVersions'> = {
    createVersion: (keyId, requestId) => vault.createVersion(keyId, requestId),
    listVersions: async (keyId) => {
      const tenantId = [...keyIds].find(([, k]) => k === keyId)?.[0];
      if (tenantId && failing.has(tenantId)) throw new Error('vault unavailable');
      return vault.listVersions(keyId);
    },
  };
  const detection = new KeyDetection(rings, listing, deadlines, pool, clock, INTERVAL_MS, { info: () => undefined, warn: (o: object) => warnings.push(o) });
  const saga = new KeyRingSaga(keyRings, deadlines, detection, clock);
  const poller = new DeadlinePoller(pool, clock, { [KEY_DETECTION]: detection.handle }, { logger: quiet });
  return { detection, saga, poller };
}

/** Runs the saga on the newest event of a stream, in a transaction, as its processor would. */
async function sagaOn(saga: KeyRingSaga, streamId: string): Promise<void> {
  const event = deliverable(saga.interests, (await store.readStream(streamId)).at(-1)!);
  if (!event) throw new Error(`the key ring saga does not follow ${streamId}`);
  await inTransaction(pool, (tx) => saga.handle(event, tx));
}

/** A tenant's key in the vault and its opened ring (the saga schedules its detection). */
async function openRing(saga: KeyRingSaga, tenantId: string): Promise<void> {
  const key = await vault.createKey(tenantId);
  keyIds.set(tenantId, key.keyId);
  await keyRings.execute(
    tenantId,
    {
      type: 'OpenKeyRing',
      data: {
        tenantId,
        keyId: key.keyId,
        keyCustody: 'client',
        rotationPeriodDays: 365,
        pitrRetentionDays: 35,
        version: { keyVersionId: key.versionId, createdAt: key.createdAt.toISOString() },
        databases: ['db-1'],
      },
    },
    `open:${tenantId}`,
  );
  await sagaOn(saga, keyRingStream(tenantId));
}

/** The client rotates its own key in the vault. */
const clientRotates = async (tenantId: string) => (await vault.createVersion(keyIds.get(tenantId)!)).versionId;

const detected = async (tenantId: string) =>
  (await keyRings.load(tenantId)).state.versions.filter((v) => v.source === 'detected').map((v) => v.keyVersionId);

/** Moves time one interval on and fires everything due, on the given instances (each ticking in turn). */
async function nextInterval(...pollers: DeadlinePoller[]): Promise<void> {
  clock.advance(INTERVAL_MS);
  for (let round = 0; round < 5; round++) for (const poller of pollers) await poller.tick();
}

const timer = (tenantId: string) => deadlines.get(keyDetectionTimerId(tenantId));

it('checks every ring on its own timer, each moved one interval on after its check', async () => {
  const { saga, poller } = instance();
  const tenants = Array.from({ length: 6 }, (_, i) => `fleet-${i}-${randomUUID().slice(0, 8)}`);
  for (const t of tenants) await openRing(saga, t);
  // Spread over the interval: not every ring is due at the same instant.
  const due = await Promise.all(tenants.map(async (t) => (await timer(t))!.dueAt.getTime()));
  expect(new Set(due).size).toBeGreaterThan(1);
  expect(due.every((d) => d >= clock.now().getTime() && d < clock.now().getTime() + INTERVAL_MS)).toBe(true);

  const created = new Map<string, string>();
  for (const t of tenants) created.set(t, await clientRotates(t));
  await nextInterval(poller);
  for (const t of tenants) {
    expect(await detected(t)).toEqual([created.get(t)]);
    const row = (await timer(t))!;
    expect(row.status).toBe('pending');
    expect(row.dueAt.getTime()).toBeGreaterThan(clock.now().getTime());
  }
});

it('checks a ring whose vault holds nothing new without loading it, and still sees every version created since', async () => {
  // The same repository, counting the loads of this test's ring (the ring is read from the real store).
  const tenantId = `quiet-${randomUUID().slice(0, 8)}`;
  let loads = 0;
  const counting = Object.create(keyRings) as KeyRingRepository;
  counting.load = (id: string) => {
    if (id === tenantId) loads++;
    return keyRings.load(id);
  };
  const { saga, poller } = instance(counting);
  await openRing(saga, tenantId);
  await nextInterval(poller);
  expect(loads).toBe(1);
  await nextInterval(poller);
  await nextInterval(poller);
  expect(loads).toBe(1);
  expect((await timer(tenantId))!.dueAt.getTime()).toBeGreaterThan(clock.now().getTime());

  const first = await clientRotates(tenantId);
  await nextInterval(poller);
  expect(await detected(tenantId)).toEqual([first]);
  expect(loads).toBe(2);
  // What that check recorded is remembered: the next check loads nothing, the next rotation is seen.
  await nextInterval(poller);
  expect(loads).toBe(2);
  const second = await clientRotates(tenantId);
  await nextInterval(poller);
  expect(await detected(tenantId)).toEqual([first, second]);
});

it('stops checking a ring once a shred destroyed it', async () => {
  const { saga, poller } = instance();
  const tenantId = `shredded-${randomUUID().slice(0, 8)}`;
  await openRing(saga, tenantId);
  await store.append(
    tenantStream(tenantId),
    [{ id: randomUUID(), type: 'KeyDestroyed', data: { shredId: 's-1', keyId: keyIds.get(tenantId)!, versions: [], at: clock.now().toISOString() } }],
    'any',
  );
  await sagaOn(saga, tenantStream(tenantId));
  expect((await timer(tenantId))!.status).toBe('cancelled');
  await clientRotates(tenantId);
  await nextInterval(poller);
  expect(await detected(tenantId)).toEqual([]);
  expect((await timer(tenantId))!.status).toBe('cancelled');
});

it('ends the timer of a ring it finds destroyed (a timer ensured at boot after the shred)', async () => {
  const { saga, poller, detection } = instance();
  const tenantId = `late-${randomUUID().slice(0, 8)}`;
  await openRing(saga, tenantId);
  await keyRings.execute(tenantId, { type: 'DestroyKeyRing', data: {} }, `destroy:${tenantId}`);
  await detection.ensureFor(tenantId);
  await nextInterval(poller);
  expect((await timer(tenantId))!.status).toBe('fired');
});

it('goes on with every other ring when one tenant fails, and checks the failing one again after DETECTION_RETRY_MS, not a whole interval', async () => {
  const { saga, poller } = instance();
  const tenants = Array.from({ length: 4 }, (_, i) => `iso-${i}-${randomUUID().slice(0, 8)}`);
  for (const t of tenants) await openRing(saga, t);
  const broken = tenants[1];
  failing.add(broken);
  for (const t of tenants) await clientRotates(t);
  await nextInterval(poller);
  for (const t of tenants) expect(await detected(t)).toHaveLength(t === broken ? 0 : 1);
  expect(warnings).toContainEqual({ tenantId: broken, error: 'Error' });
  const retry = (await timer(broken))!;
  expect(retry.status).toBe('pending');
  const failedAt = clock.now().getTime();
  expect(retry.dueAt.getTime()).toBeLessThanOrEqual(failedAt + DETECTION_RETRY_MS);
  expect(retry.dueAt.getTime()).toBeGreaterThan(failedAt);

  failing.delete(broken);
  clock.advance(DETECTION_RETRY_MS);
  for (let round = 0; round < 5; round++) await poller.tick();
  expect(await detected(broken)).toHaveLength(1);
  expect((await timer(broken))!.dueAt.getTime()).toBe(clock.now().getTime() + INTERVAL_MS);
});

it('after a restart, resumes the schedule as stored, ensures rings opened before per-ring timers, and retires the fleet-wide timer', async () => {
  const before = instance();
  const running = `resume-${randomUUID().slice(0, 8)}`;
  await openRing(before.saga, running);
  // A ring opened by an engine that had only the fleet-wide timer: the read model knows it, no timer does.
  const legacy = `legacy-${randomUUID().slice(0, 8)}`;
  const key = await vault.createKey(legacy);
  keyIds.set(legacy, key.keyId);
  await keyRings.execute(
    legacy,
    {
      type: 'OpenKeyRing',
      data: {
        tenantId: legacy,
        keyId: key.keyId,
        keyCustody: 'client',
        rotationPeriodDays: 365,
        pitrRetentionDays: 35,
        version: { keyVersionId: key.versionId, createdAt: key.createdAt.toISOString() },
        databases: ['db-1'],
      },
    },
    `open:${legacy}`,
  );
  await pool.query(
    `insert into rm_key_rings (tenant_id, key_custody, rotation_period_days, newest_key_version_id, newest_created_at, destroyed, databases)
     values ($1, 'client', 365, $2, $3, false, '[]')`,
    [legacy, key.versionId, key.createdAt],
  );
  await deadlines.schedule(FLEET_DETECTION_TIMER, clock.now(), KEY_DETECTION, {});
  const dueBefore = (await timer(running))!.dueAt;

  // The restart: new instances over the same database, two of them.
  const a = instance();
  const b = instance();
  await a.detection.ensureScheduled();
  await b.detection.ensureScheduled();
  expect((await timer(running))!.dueAt).toEqual(dueBefore);
  expect((await timer(legacy))!.status).toBe('pending');
  expect((await deadlines.get(FLEET_DETECTION_TIMER))!.status).toBe('cancelled');

  const rotatedRunning = await clientRotates(running);
  const rotatedLegacy = await clientRotates(legacy);
  await nextInterval(a.poller, b.poller);
  expect(await detected(running)).toEqual([rotatedRunning]);
  expect(await detected(legacy)).toEqual([rotatedLegacy]);
  // Checked once, and due again one interval on.
  for (const t of [running, legacy]) {
    const row = (await timer(t))!;
    expect(row.status).toBe('pending');
    expect(row.dueAt.getTime()).toBe(clock.now().getTime() + INTERVAL_MS);
  }
});
