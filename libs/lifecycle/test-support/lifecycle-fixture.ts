// A real lifecycle for handler specs: a fresh PostgreSQL database with the event store, the local
// vault and the local data plane, the aggregates' repositories over an event store that counts
// its stream reads, and onboarding to start from.
import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { LocalDataPlane, dataplaneMigrations, platformKeyFrom } from '@lethe/dataplane';
import type { TenantProfile } from '@lethe/domain';
import { PostgresEventStore, eventStoreMigrations, type EventStore } from '@lethe/eventstore';
import { runMigrations } from '@lethe/postgres';
import { deliverTo, processorMigrations, type Processor } from '@lethe/processors';
import { EventTypeCountsProjection, KeyRingsProjection, TenantsProjection, readModelEntities, readModelMigrations } from '@lethe/readmodel';
import { DataSource } from 'typeorm';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { LocalKeyVault, MasterKey, vaultMigrations } from '@lethe/vault';
import { CalendarRepository } from '../src/calendars/calendar-repository.js';
import { overrideInputsInForce } from '../src/calendars/calendar-overrides.js';
import { noCrash } from '../src/crash-points.js';
import { BreakGlassRepository, DEFAULT_BREAK_GLASS_APPROVALS } from '../src/break-glass/break-glass-repository.js';
import { PrivilegedUse } from '../src/break-glass/privileged-use.js';
import { UseGrantHandler } from '../src/break-glass/use-grant/use-grant.handler.js';
import { KeyRingOpener } from '../src/keys/key-ring-opener.js';
import { KeyRingRepository } from '../src/keys/key-ring-repository.js';
import { OnboardTenantCommand, type Onboarded } from '../src/tenants/onboard-tenant/onboard-tenant.command.js';
import { OnboardTenantHandler } from '../src/tenants/onboard-tenant/onboard-tenant.handler.js';
import { TenantRepository } from '../src/tenants/tenant-repository.js';
import { CalendarWorkingDays } from '../src/tenants/working-days.adapter.js';

export interface LifecycleFixture {
  readonly pool: pg.Pool;
  /** The real store, unwrapped (appends made by the test itself are not counted). */
  readonly store: PostgresEventStore;
  /** The store the repositories use: counts readStream calls per stream id. */
  readonly counted: EventStore;
  readonly clock: ManualClock;
  readonly vault: LocalKeyVault;
  readonly dataPlane: LocalDataPlane;
  readonly tenants: TenantRepository;
  readonly keyRings: KeyRingRepository;
  /** Opens a recorded tenant's ring (onboarding's second half); what key ring commands load through. */
  readonly opener: KeyRingOpener;
  /** Break-glass grants, and the grant check of privileged operations over them. */
  readonly grants: BreakGlassRepository;
  readonly privileged: PrivilegedUse;
  readonly calendars: CalendarRepository;
  /** The read models (rm_*), through TypeORM as the query handlers read them. */
  readonly readModels: DataSource;
  /** Folds every stored event into the tenant, key ring and event-count read models, as their processors do. */
  project(): Promise<void>;
  /** readStream calls per stream since the last resetReads(). */
  reads(streamId: string): number;
  resetReads(): void;
  onboard(tenantId: string, profile?: Partial<TenantProfile>): Promise<Onboarded>;
  close(): Promise<void>;
}

export function tenantProfile(tenantId: string, profile: Partial<TenantProfile> = {}): TenantProfile {
  return {
    tenantId,
    jurisdiction: 'DE',
    timeZone: 'Europe/Berlin',
    excludedHolidayTypes: ['public', 'bank'],
    partialHolidays: 'working',
    keyCustody: 'managed',
    backupKeyMode: 'customer',
    databases: [{ databaseId: 'db-1' }],
    shredGraceWorkingDays: 2,
    rotationPeriodDays: 365,
    pitrRetentionDays: 35,
    ...profile,
  };
}

export async function createLifecycleFixture(start = new Date('2026-03-02T09:00:00.000Z')): Promise<LifecycleFixture> {
  const db: TestDatabase = await createTestDatabase();
  await runMigrations(db.url, [...eventStoreMigrations, ...processorMigrations, ...vaultMigrations, ...dataplaneMigrations, ...readModelMigrations]);
  const pool = new pg.Pool({ connectionString: db.url, max: 6 });
  pool.on('error', reportIdleError);
  const store = new PostgresEventStore(pool);
  const reads = new Map<string, number>();
  const counted = new Proxy(store, {
    get(target, property) {
      if (property === 'readStream') {
        return (streamId: string, options?: Parameters<EventStore['readStream']>[1]) => {
          reads.set(streamId, (reads.get(streamId) ?? 0) + 1);
          return target.readStream(streamId, options);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const clock = new ManualClock(start);
  const masterKey = MasterKey.generate();
  const vault = new LocalKeyVault(pool, masterKey, clock);
  const dataPlane = new LocalDataPlane(pool, vault, platformKeyFrom(masterKey), clock);
  const calendars = new CalendarRepository(counted, clock);
  const tenants = new TenantRepository(counted, clock, new CalendarWorkingDays(), (jurisdiction) => overrideInputsInForce(calendars, jurisdiction));
  const keyRings = new KeyRingRepository(counted, clock);
  const opener = new KeyRingOpener(tenants, keyRings, vault, dataPlane, noCrash);
  const onboarding = new OnboardTenantHandler(tenants, opener, noCrash);
  const grants = new BreakGlassRepository(counted, clock, DEFAULT_BREAK_GLASS_APPROVALS);
  const privileged = new PrivilegedUse(new UseGrantHandler(grants, tenants, store, clock));
  const readModels = await new DataSource({ type: 'postgres', url: db.url, entities: readModelEntities, extra: { max: 2 } }).initialize();
  const projections: Processor[] = [new TenantsProjection(), new KeyRingsProjection(), new EventTypeCountsProjection()];
  let projected = 0n;
  return {
    readModels,
    async project() {
      for (let batch = await store.readAll(projected, 500); batch.length > 0; batch = await store.readAll(projected, 500)) {
        const tx = await pool.connect();
        try {
          await tx.query('begin');
          for (const event of batch) for (const p of projections) await deliverTo(p, event, tx);
          await tx.query('commit');
        } finally {
          tx.release();
        }
        projected = batch[batch.length - 1].position;
      }
    },
    pool,
    store,
    counted,
    clock,
    vault,
    dataPlane,
    tenants,
    keyRings,
    opener,
    grants,
    privileged,
    calendars,
    reads: (streamId) => reads.get(streamId) ?? 0,
    resetReads: () => reads.clear(),
    onboard: (tenantId, profile) => onboarding.execute(new OnboardTenantCommand(tenantProfile(tenantId, profile))),
    async close() {
      await readModels.destroy();
      await store.close();
      await pool.end();
      await db.drop();
    },
  };
}
