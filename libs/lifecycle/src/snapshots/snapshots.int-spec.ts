// Snapshots against PostgreSQL: the store keeps the newest snapshot under concurrent writers, and a
// repository's load through a snapshot equals a fold of the whole stream, for every aggregate.
import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { CALENDAR_STATE_VERSION, KEY_RING_STATE_VERSION, TENANT_STATE_VERSION, keyRingStream, retentionTimers, type KeyRingCommand } from '@lethe/domain';
import { EventStoreDbEventStore, PostgresEventStore, eventStoreMigrations } from '@lethe/eventstore';
import { FakeEsdbClient } from '../../../eventstore/test-support/fake-esdb-client.js';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { SNAPSHOT_EVERY, type SnapshotOptions } from '../aggregate-repository.js';
import { CalendarRepository } from '../calendars/calendar-repository.js';
import { KeyRingRepository, backupCause } from '../keys/key-ring-repository.js';
import { CalendarWorkingDays } from '../tenants/working-days.adapter.js';
import { TenantRepository } from '../tenants/tenant-repository.js';
import { PostgresSnapshotStore } from './snapshot-store.js';
import { snapshotMigrations } from './snapshot.migrations.js';

let db: TestDatabase;
let pool: pg.Pool;
let store: PostgresEventStore;
let snapshots: PostgresSnapshotStore;
const warnings: string[] = [];
let withSnapshots: SnapshotOptions;
const DAY = 24 * 60 * 60 * 1000;
const T0 = new Date('2026-01-01T00:00:00.000Z');

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...eventStoreMigrations, ...snapshotMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 8 });
  pool.on('error', reportIdleError);
  store = new PostgresEventStore(pool);
  snapshots = new PostgresSnapshotStore(pool);
  withSnapshots = { store: snapshots, logger: { warn: (_o: unknown, message?: string) => void warnings.push(message ?? '') } };
});

afterAll(async () => {
  await store?.close();
  await pool?.end();
  await db?.drop();
});

const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('snapshot store', () => {
  it('answers null for a stream without a snapshot, and the state as written otherwise', async () => {
    expect(await snapshots.read('s-none')).toBeNull();
    await snapshots.write({ streamId: 's-1', revision: 99n, stateVersion: 1, state: { a: [1, 'x', null], b: { c: true } } });
    expect(await snapshots.read('s-1')).toEqual({ streamId: 's-1', revision: 99n, stateVersion: 1, state: { a: [1, 'x', null], b: { c: true } } });
  });

  it('keeps the higher revision, and a newer state version over an older one', async () => {
    await snapshots.write({ streamId: 's-2', revision: 199n, stateVersion: 1, state: { at: 199 } });
    await snapshots.write({ streamId: 's-2', revision: 99n, stateVersion: 1, state: { at: 99 } });
    expect((await snapshots.read('s-2'))!.revision).toBe(199n);
    await snapshots.write({ streamId: 's-2', revision: 99n, stateVersion: 2, state: { at: 99, v: 2 } });
    expect(await snapshots.read('s-2')).toMatchObject({ revision: 99n, stateVersion: 2, state: { at: 99, v: 2 } });
    // An older engine's snapshot never replaces a newer engine's during a rolling deploy.
    await snapshots.write({ streamId: 's-2', revision: 299n, stateVersion: 1, state: { at: 299 } });
    expect(await snapshots.read('s-2')).toMatchObject({ revision: 99n, stateVersion: 2 });
  });

  it('ends with the highest revision when many instances write one stream at once', async () => {
    const revisions = Array.from({ length: 40 }, (_, i) => BigInt(((i * 37) % 40) * 100 + 99));
    await Promise.all(revisions.map((revision) => snapshots.write({ streamId: 's-3', revision, stateVersion: 1, state: { revision: Number(revision) } })));
    expect(await snapshots.read('s-3')).toMatchObject({ revision: 3999n, state: { revision: 3999 } });
  });
});

/** A key ring with rotations, backups, a retention change, a deletion and retirements: `count` commands. */
async function busyRing(repo: KeyRingRepository, clock: ManualClock, tenantId: string, count: number): Promise<void> {
  // Each ring starts where the clock stands (the clock never moves back).
  const start = clock.now();
  await repo.execute(
    tenantId,
    {
      type: 'OpenKeyRing',
      data: {
        tenantId,
        keyId: `key-${tenantId}`,
        keyCustody: 'managed',
        rotationPeriodDays: 30,
        pitrRetentionDays: 2,
        version: { keyVersionId: `${tenantId}-kv-0`, createdAt: start.toISOString() },
        databases: ['db-1', 'db-2'],
      },
    },
    'open',
  );
  let versions = 0;
  for (let n = 1; n < count; n++) {
    const now = new Date(start.getTime() + n * DAY);
    clock.set(now);
    const { state, revision } = await repo.load(tenantId);
    const due = retentionTimers(state).find((t) => Date.parse(t.retainUntil) <= now.getTime());
    let command: KeyRingCommand;
    if (due) command = { type: 'RetireKeyVersion', data: { keyVersionId: due.keyVersionId } };
    else if (n % 20 === 0) command = { type: 'AddKeyVersion', data: { keyVersionId: `${tenantId}-kv-${++versions}`, source: 'policy', createdAt: now.toISOString() } };
    else if (n % 20 === 1 && versions > 0) {
      const from = state.databases[n % 2]!.intervals.at(-1)!.keyVersionId;
      command = { type: 'RecordReprotection', data: { databaseId: `db-${(n % 2) + 1}`, fromKeyVersionId: from, toKeyVersionId: `${tenantId}-kv-${versions}` } };
      if (from === command.data.toKeyVersionId) command = { type: 'ChangeBackupPolicy', data: { pitrRetentionDays: (n % 5) + 1 } };
    } else if (n % 13 === 0) command = { type: 'ChangeBackupRetention', data: { backupId: `b-${n - 1}`, expiresAt: new Date(now.getTime() + 9 * DAY).toISOString() } };
    else if (n % 17 === 0) command = { type: 'DeleteBackup', data: { backupId: `b-${n - 1}` } };
    else if (n % 29 === 0) command = { type: 'RegisterStagingAsset', data: { assetId: `a-${n}`, expiresAt: null } };
    else {
      command = {
        type: 'RecordBackup',
        data: {
          backupId: `b-${n}`,
          databaseId: `db-${(n % 2) + 1}`,
          kind: n % 7 === 0 ? 'full' : 'pitr',
          coveredFrom: new Date(now.getTime() - DAY).toISOString(),
          takenAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + (n % 3) * DAY + DAY).toISOString(),
          protection: n % 11 === 0 ? 'platform-key' : 'customer-key',
        },
      };
    }
    await repo.execute(tenantId, command, `c-${n}`, { loaded: { state, revision } }).catch((error: { code?: string }) => {
      // A command this generator picked badly (a backup deleted twice, …): the ring refuses it, as it should.
      if (!error.code) throw error;
    });
  }
}

describe('snapshots with the log in EventStoreDB (the adapter over a fake of its client; snapshots in PostgreSQL)', () => {
  const clock = new ManualClock(T0);

  it('loads through a snapshot equal to a fold of the whole stream: snapshots key on stream and revision, whatever the store', async () => {
    const esdb = new EventStoreDbEventStore(new FakeEsdbClient().asClient(), { categories: ['keys'] });
    const repo = new KeyRingRepository(esdb, clock, withSnapshots);
    const plain = new KeyRingRepository(esdb, clock);
    await busyRing(repo, clock, 'esdb-ring', 140);
    const snapshot = await snapshots.read(keyRingStream('esdb-ring'));
    expect(snapshot).not.toBeNull();
    expect((snapshot!.revision + 1n) % BigInt(SNAPSHOT_EVERY)).toBe(0n);
    expect(await new KeyRingRepository(esdb, clock, withSnapshots).load('esdb-ring')).toEqual(await plain.load('esdb-ring'));
    await esdb.close();
  });
});

describe('key ring repository with snapshots', () => {
  const clock = new ManualClock(T0);

  it('writes a snapshot as the stream crosses each multiple of SNAPSHOT_EVERY, and loads equal a fold from scratch', async () => {
    const repo = new KeyRingRepository(store, clock, withSnapshots);
    const plain = new KeyRingRepository(store, clock);
    await busyRing(repo, clock, 'acme', 260);
    const { revision: last } = await plain.load('acme');
    const snapshot = await snapshots.read(keyRingStream('acme'));
    expect(snapshot).not.toBeNull();
    expect(snapshot!.stateVersion).toBe(KEY_RING_STATE_VERSION);
    expect((snapshot!.revision + 1n) % BigInt(SNAPSHOT_EVERY)).toBe(0n);
    expect(last as bigint).toBeGreaterThan(snapshot!.revision);
    expect(last as bigint - snapshot!.revision).toBeLessThan(BigInt(SNAPSHOT_EVERY));
    const loaded = await repo.load('acme');
    const folded = await plain.load('acme');
    expect(loaded).toEqual(folded);
    expect(json(loaded.state)).toEqual(loaded.state);
    // The ring did exercise archiving and retirement.
    expect(loaded.state.versions.some((v) => v.retiredAt)).toBe(true);
    expect(loaded.state.archivedBackups).toBeGreaterThan(0);
    // And the snapshot itself is the fold of the stream up to its revision.
    const upTo = await store.readStream(keyRingStream('acme'), { limit: Number(snapshot!.revision) + 1 });
    const { evolveKeyRing, initialKeyRingState } = await import('@lethe/domain');
    expect(snapshot!.state).toEqual(json(upTo.reduce((s, e) => evolveKeyRing(s, { type: e.type, data: e.data } as never), initialKeyRingState)));
  });

  it('reads the snapshot instead of the events before it', async () => {
    const repo = new KeyRingRepository(store, clock, withSnapshots);
    const { state, revision } = await repo.load('acme');
    // A marked copy at the current revision: a load that returns the mark read the snapshot, not the stream.
    await pool.query('delete from lethe_snapshots where stream_id = $1', [keyRingStream('acme')]);
    await snapshots.write({ streamId: keyRingStream('acme'), revision: revision as bigint, stateVersion: KEY_RING_STATE_VERSION, state: { ...state, keyId: 'from-the-snapshot' } });
    // A repository that kept the state in memory reads only the events after it; a new one (another
    // instance, a restart) starts from the snapshot.
    expect((await repo.load('acme')).state.keyId).toBe('key-acme');
    expect((await new KeyRingRepository(store, clock, withSnapshots).load('acme')).state.keyId).toBe('from-the-snapshot');
  });

  it('ignores a snapshot of another state version, and replaces it at the next mark', async () => {
    const repo = new KeyRingRepository(store, clock, withSnapshots);
    const plain = new KeyRingRepository(store, clock);
    const { state, revision } = await plain.load('acme');
    await pool.query('delete from lethe_snapshots where stream_id = $1', [keyRingStream('acme')]);
    await pool.query('insert into lethe_snapshots (stream_id, revision, state_version, state) values ($1, $2, $3, $4)', [
      keyRingStream('acme'),
      (revision as bigint).toString(),
      KEY_RING_STATE_VERSION - 1,
      JSON.stringify({ ...state, keyId: 'old-shape' }),
    ]);
    expect(await repo.load('acme')).toEqual(await plain.load('acme'));
    // Commands until the stream crosses the next multiple: the stale snapshot is replaced.
    for (let i = 0; i < SNAPSHOT_EVERY; i++) {
      await repo.execute('acme', { type: 'RegisterStagingAsset', data: { assetId: `stale-${i}`, expiresAt: null } }, `stale-${i}`);
    }
    const replaced = await snapshots.read(keyRingStream('acme'));
    expect(replaced!.stateVersion).toBe(KEY_RING_STATE_VERSION);
    expect((replaced!.state as { keyId: string }).keyId).toBe('key-acme');
    expect(await repo.load('acme')).toEqual(await plain.load('acme'));
  });

  it('writes a snapshot when a load had to fold SNAPSHOT_EVERY events or more (a stream from before snapshots)', async () => {
    const plain = new KeyRingRepository(store, clock);
    await busyRing(plain, clock, 'legacy', 150);
    expect(await snapshots.read(keyRingStream('legacy'))).toBeNull();
    const repo = new KeyRingRepository(store, clock, withSnapshots);
    const loaded = await repo.load('legacy');
    expect((await snapshots.read(keyRingStream('legacy')))!.revision).toBe(loaded.revision);
    expect(await repo.load('legacy')).toEqual(await plain.load('legacy'));
  });

  it('still records the command when the snapshot cannot be written (the events are the truth)', async () => {
    const repo = new KeyRingRepository(store, clock, withSnapshots);
    const plain = new KeyRingRepository(store, clock);
    await busyRing(repo, clock, 'unwritable', 90);
    warnings.length = 0;
    await pool.query('alter table lethe_snapshots rename to lethe_snapshots_away');
    try {
      for (let i = 0; i < 20; i++) {
        const { appended } = await repo.execute('unwritable', { type: 'RegisterStagingAsset', data: { assetId: `u-${i}`, expiresAt: null } }, `u-${i}`);
        expect(appended).toHaveLength(1);
      }
      expect(warnings).toContain('snapshot not written');
      // A repository without the state in memory (a restart) folds the stream from its start.
      expect(await new KeyRingRepository(store, clock, withSnapshots).load('unwritable')).toEqual(await plain.load('unwritable'));
      expect(warnings).toContain('snapshot unreadable; folding the stream from its start');
    } finally {
      await pool.query('alter table lethe_snapshots_away rename to lethe_snapshots');
    }
    expect(await repo.load('unwritable')).toEqual(await plain.load('unwritable'));
  });

  it('stays correct with two instances writing one ring and its snapshots at once', async () => {
    const a = new KeyRingRepository(store, clock, withSnapshots);
    const b = new KeyRingRepository(store, clock, withSnapshots);
    const plain = new KeyRingRepository(store, clock);
    await busyRing(a, clock, 'racing', 20);
    await Promise.all(
      [a, b].map(async (repo, r) => {
        for (let i = 0; i < 120; i++) {
          await repo.execute('racing', { type: 'RegisterStagingAsset', data: { assetId: `r${r}-${i}`, expiresAt: null } }, `r${r}-${i}`);
        }
      }),
    );
    const folded = await plain.load('racing');
    expect(folded.state.stagingAssets).toHaveLength(240);
    const snapshot = await snapshots.read(keyRingStream('racing'));
    expect(snapshot!.revision).toBe(BigInt(Math.floor(Number((folded.revision as bigint) + 1n) / SNAPSHOT_EVERY) * SNAPSHOT_EVERY - 1));
    expect(await a.load('racing')).toEqual(folded);
    expect(await b.load('racing')).toEqual(folded);
  });
});

describe('key ring repository: archived backups', () => {
  it('answers a repeated RecordBackup of an archived backup from the event that recorded it: a replay, or a conflict', async () => {
    const clock = new ManualClock(new Date('2027-01-01T00:00:00.000Z'));
    const repo = new KeyRingRepository(store, clock, withSnapshots);
    const t0 = clock.now();
    const day = (n: number) => new Date(t0.getTime() + n * DAY).toISOString();
    await repo.execute('archiving', { type: 'OpenKeyRing', data: { tenantId: 'archiving', keyId: 'k', keyCustody: 'managed', rotationPeriodDays: 30, pitrRetentionDays: 1, version: { keyVersionId: 'a-kv-1', createdAt: day(0) }, databases: ['db-1'] } }, 'open');
    const body = { backupId: 'nightly-1', databaseId: 'db-1', kind: 'full' as const, coveredFrom: day(0), takenAt: day(1), expiresAt: day(3), protection: 'customer-key' as const };
    clock.set(new Date(day(1)));
    await repo.execute('archiving', { type: 'RecordBackup', data: body }, backupCause('nightly-1'));
    clock.set(new Date(day(5)));
    await repo.execute('archiving', { type: 'AddKeyVersion', data: { keyVersionId: 'a-kv-2', source: 'policy', createdAt: day(5) } }, 'rotate');
    await repo.execute('archiving', { type: 'RecordReprotection', data: { databaseId: 'db-1', fromKeyVersionId: 'a-kv-1', toKeyVersionId: 'a-kv-2' } }, 'reprotect');
    clock.set(new Date(day(7)));
    await repo.execute('archiving', { type: 'RetireKeyVersion', data: { keyVersionId: 'a-kv-1' } }, 'retire');
    const { state } = await repo.load('archiving');
    expect(state.backups).toEqual([]);
    expect(state.archivedBackups).toBe(1);
    expect(await repo.archivedBackup(state, 'nightly-1')).toEqual({ ...body, keyVersionIds: ['a-kv-1'], restoreKeyVersionId: 'a-kv-1', unrestorable: null, deletedAt: null });
    expect(await repo.archivedBackup(state, 'never-recorded')).toBeNull();

    const replay = await repo.execute('archiving', { type: 'RecordBackup', data: body }, backupCause('nightly-1'));
    expect(replay.appended).toEqual([]);
    await expect(repo.execute('archiving', { type: 'RecordBackup', data: { ...body, expiresAt: day(4) } }, backupCause('nightly-1'))).rejects.toMatchObject({ code: 'backup-exists' });
    expect((await repo.execute('archiving', { type: 'DeleteBackup', data: { backupId: 'nightly-1' } }, 'delete')).appended).toEqual([]);
    await expect(repo.execute('archiving', { type: 'DeleteBackup', data: { backupId: 'never-recorded' } }, 'delete-2')).rejects.toMatchObject({ code: 'backup-not-found' });
  });
});

describe('tenant and calendar repositories with snapshots', () => {
  const clock = new ManualClock(new Date('2026-12-01T09:00:00.000Z'));

  it('load the tenant (profile, triggers, a shred with its calendar inputs) through a snapshot exactly as folded', async () => {
    const calendar = new CalendarWorkingDays();
    const repo = new TenantRepository(store, clock, calendar, async () => [], withSnapshots);
    const plain = new TenantRepository(store, clock, calendar);
    const profile = {
      tenantId: 'globex',
      jurisdiction: 'DE-BY',
      timeZone: 'Europe/Berlin',
      excludedHolidayTypes: ['public', 'bank'],
      keyCustody: 'managed' as const,
      backupKeyMode: 'platform' as const,
      databases: [{ databaseId: 'db-1' }],
      shredGraceWorkingDays: 2,
      rotationPeriodDays: 365,
      pitrRetentionDays: 35,
    };
    await repo.execute('globex', { type: 'OnboardTenant', data: profile }, 'onboard');
    const trigger = { kind: 'deletion-request' as const, requestId: 'r-1' };
    await repo.execute('globex', { type: 'ScheduleShred', data: { trigger, effectiveAt: clock.now().toISOString(), receivedAt: clock.now().toISOString() } }, 'r-1');
    await repo.execute('globex', { type: 'CancelShred', data: { reason: 'signed again', contractRevision: null } }, 'cancel');
    await repo.execute('globex', { type: 'ScheduleShred', data: { trigger: { kind: 'deletion-request', requestId: 'r-2' }, effectiveAt: clock.now().toISOString(), receivedAt: clock.now().toISOString() } }, 'r-2');
    const folded = await plain.load('globex');
    await snapshots.write({ streamId: 'tenant-globex', revision: folded.revision as bigint, stateVersion: TENANT_STATE_VERSION, state: json(folded.state) });
    const stored = await snapshots.read('tenant-globex');
    expect(stored!.state).toEqual(folded.state);
    expect(await repo.load('globex')).toEqual(folded);
    expect(folded.state.shred?.status).toBe('scheduled');
  });

  it('load a calendar (overrides by date, declarations) through a snapshot exactly as folded', async () => {
    const repo = new CalendarRepository(store, clock, withSnapshots);
    const plain = new CalendarRepository(store, clock);
    const by = { role: 'operator' };
    for (let d = 1; d <= 120; d++) {
      const date = `2027-${String(Math.ceil(d / 28)).padStart(2, '0')}-${String(((d - 1) % 28) + 1).padStart(2, '0')}`;
      await repo.execute('DE', { type: 'DeclareCalendarOverride', data: { jurisdiction: 'DE', date, kind: d % 2 ? 'off' : 'working', reason: `day ${d}`, by } }, `declare-${d}`);
      if (d % 9 === 0) await repo.execute('DE', { type: 'WithdrawCalendarOverride', data: { jurisdiction: 'DE', date, by } }, `withdraw-${d}`);
    }
    const snapshot = await snapshots.read('calendar-DE');
    expect(snapshot!.stateVersion).toBe(CALENDAR_STATE_VERSION);
    expect(await repo.load('DE')).toEqual(await plain.load('DE'));
    expect(snapshot!.state).toEqual(json(snapshot!.state));
  });
});

describe('the latest state kept in memory', () => {
  const clock = new ManualClock(T0);

  it('folds what other instances appended after it, so a load is always current', async () => {
    const a = new KeyRingRepository(store, clock, withSnapshots);
    const b = new KeyRingRepository(store, clock, withSnapshots);
    const plain = new KeyRingRepository(store, clock);
    await busyRing(a, clock, 'shared', 30);
    await a.load('shared');
    // Another instance appends; a's kept state is now behind the stream.
    await b.execute('shared', { type: 'RegisterStagingAsset', data: { assetId: 'from-b', expiresAt: null } }, 'from-b');
    const seen = await a.load('shared');
    expect(seen).toEqual(await plain.load('shared'));
    expect(seen.state.stagingAssets.map((s) => s.assetId)).toContain('from-b');
    // And a's own command decides on the current state (no lost update, no conflict loop).
    const { appended } = await a.execute('shared', { type: 'RegisterStagingAsset', data: { assetId: 'from-a', expiresAt: null } }, 'from-a');
    expect(appended).toHaveLength(1);
    expect(await a.load('shared')).toEqual(await plain.load('shared'));
  });
});
