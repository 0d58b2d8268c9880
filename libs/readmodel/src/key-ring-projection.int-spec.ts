// The incremental key-ring projection against real PostgreSQL: histories made by the domain's own
// decider (seeded, so a failure is reproducible) are projected one event per transaction; after
// every event the rows must say what the domain's evolve and retention rules say for the ring as of
// that event, and a fresh replay of the whole history must give the same rows.
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import {
  DomainError,
  type BackupState,
  decideKeyRing,
  evolveKeyRing,
  initialKeyRingState,
  newestVersion,
  retainUntil,
  versionStatus,
  type KeyRingCommand,
  type KeyRingEvent,
  type KeyRingState,
  upcastEvent,
} from '@lethe/domain';
import type { RecordedEvent } from '@lethe/eventstore';
import { runMigrations } from '@lethe/postgres';
import { processorMigrations, deliverable } from '@lethe/processors';
import { createTestDatabase, reportIdleError, seededRandom, type TestDatabase } from '@lethe/testing';
import { KeyRingsProjection } from './key-ring-projection.js';
import { readModelMigrations } from './index.js';

let db: TestDatabase;
let pool: pg.Pool;
const projection = new KeyRingsProjection();

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...processorMigrations, ...readModelMigrations]);
  // A session time zone with daylight saving: the pitr window is whole 24-hour days whatever it is.
  pool = new pg.Pool({ connectionString: db.url, max: 2, options: '-c timezone=America/New_York' });
  pool.on('error', reportIdleError);
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

const DAY = 24 * 60 * 60 * 1000;

/** A ring's history as the decider makes it from random commands: backups, rotations, re-protection, retention changes, deletions, retirements, policy changes, databases added, maybe a shred. */
function history(tenantId: string, seed: number, steps: number): KeyRingEvent[] {
  const rnd = seededRandom(seed);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  let state: KeyRingState = initialKeyRingState;
  let now = Date.parse('2025-01-06T09:00:00.000Z');
  const events: KeyRingEvent[] = [];
  const run = (command: KeyRingCommand) => {
    try {
      // A 30-day maximum retention, so that some backups are kept past it under a grant (and others refused).
      for (const e of decideKeyRing(command, state, { now: new Date(now), maxBackupRetentionDays: 30 })) {
        state = evolveKeyRing(state, e);
        events.push(e);
      }
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  };
  const iso = (t: number) => new Date(t).toISOString();
  const live = () => state.backups.filter((b) => b.deletedAt === null && Date.parse(b.expiresAt) > now && b.keyVersionIds.length > 0);
  let versions = 1;
  let backups = 0;
  let databases = 2;
  run({
    type: 'OpenKeyRing',
    data: {
      tenantId,
      keyId: `${tenantId}-key`,
      keyCustody: 'managed',
      rotationPeriodDays: 90,
      pitrRetentionDays: 7,
      version: { keyVersionId: `${tenantId}-v1`, createdAt: iso(now) },
      databases: ['db-1', 'db-2'],
    },
  });
  for (let step = 0; step < steps; step++) {
    now += Math.floor(rnd() * 3 * DAY);
    const r = rnd();
    const newest = newestVersion(state)!.keyVersionId;
    if (r < 0.4) {
      const takenAt = now - Math.floor(rnd() * DAY);
      run({
        type: 'RecordBackup',
        data: {
          backupId: `b-${++backups}`,
          databaseId: pick(state.databases).databaseId,
          kind: pick(['pitr', 'full', 'ltr'] as const),
          coveredFrom: iso(takenAt - Math.floor(rnd() * 20 * DAY)),
          takenAt: iso(takenAt),
          expiresAt: iso(takenAt + Math.floor((1 + rnd() * 40) * DAY)),
          protection: rnd() < 0.1 ? 'platform-key' : 'customer-key',
          ...(rnd() < 0.5 ? { grantId: `grant-${step}` } : {}),
        },
      });
    } else if (r < 0.5) {
      run({ type: 'AddKeyVersion', data: { keyVersionId: `${tenantId}-v${++versions}`, source: pick(['policy', 'manual', 'detected'] as const), createdAt: iso(now - 1000) } });
    } else if (r < 0.65) {
      const behind = state.databases.filter((d) => d.intervals[d.intervals.length - 1]!.keyVersionId !== newest);
      if (behind.length > 0) {
        const d = pick(behind);
        run({ type: 'RecordReprotection', data: { databaseId: d.databaseId, fromKeyVersionId: d.intervals[d.intervals.length - 1]!.keyVersionId, toKeyVersionId: newest } });
      }
    } else if (r < 0.7 && live().length > 0) {
      const b = pick(live());
      const expiresAt = iso(Date.parse(b.takenAt) + Math.floor((1 + rnd() * 90) * DAY));
      run({ type: 'ChangeBackupRetention', data: { backupId: b.backupId, expiresAt, ...(rnd() < 0.5 ? { grantId: `grant-${step}` } : {}) } });
    } else if (r < 0.76 && live().length > 0) {
      // Mostly live ones: deleting one that still holds a version back moves its retainUntil.
      run({ type: 'DeleteBackup', data: { backupId: pick(rnd() < 0.8 ? live() : state.backups).backupId } });
    } else if (r < 0.88) {
      for (const v of state.versions) run({ type: 'RetireKeyVersion', data: { keyVersionId: v.keyVersionId } });
      // Those retired long enough ago are destroyed (refused while their grace runs).
      for (const v of state.versions) if (v.retiredAt && !v.destroyedAt) run({ type: 'DestroyKeyVersion', data: { keyVersionId: v.keyVersionId } });
    } else if (r < 0.92) {
      run({ type: 'ChangeBackupPolicy', data: { pitrRetentionDays: 1 + Math.floor(rnd() * 35) } });
    } else if (r < 0.95) {
      run({ type: 'AddDatabase', data: { databaseId: `db-${++databases}` } });
    } else if (r < 0.97) {
      run({ type: 'ChangeRotationPeriod', data: { rotationPeriodDays: 1 + Math.floor(rnd() * 730) } });
    } else {
      run({ type: 'RegisterStagingAsset', data: { assetId: `asset-${step}`, expiresAt: null } });
    }
  }
  if (seed % 2 === 1) {
    run({ type: 'DestroyKeyRing', data: {} });
    // Refused or nothing: a destroyed ring takes no new facts, but the projection must stay right.
    run({ type: 'RetireKeyVersion', data: { keyVersionId: `${tenantId}-v1` } });
  }
  return events;
}

function recorded(tenantId: string, events: readonly KeyRingEvent[]): RecordedEvent[] {
  return events.map((e, i) => ({
    id: randomUUID(),
    streamId: `keys-${tenantId}`,
    revision: BigInt(i),
    position: BigInt(i + 1),
    type: e.type,
    // As stored: JSON.
    data: JSON.parse(JSON.stringify(e.data)),
    metadata: {},
    recordedAt: new Date(),
  }));
}

async function project(events: readonly RecordedEvent[], oneTransactionEach: boolean): Promise<void> {
  const client = await pool.connect();
  try {
    if (!oneTransactionEach) await client.query('begin');
    for (const event of events) {
      if (oneTransactionEach) await client.query('begin');
      await projection.handle(deliverable(projection.interests, event)!, client);
      if (oneTransactionEach) await client.query('commit');
    }
    if (!oneTransactionEach) await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Every row of the tenant's key-ring views, in a comparable form. */
async function rows(tenantId: string) {
  const ring = await pool.query(
    'select key_custody, rotation_period_days, pitr_retention_days, newest_key_version_id, newest_created_at, destroyed, databases from rm_key_rings where tenant_id = $1',
    [tenantId],
  );
  const versions = await pool.query(
    'select key_version_id, ordinal, status, source, created_at, retain_until, retired_at, backup_count from rm_key_versions where tenant_id = $1 order by ordinal',
    [tenantId],
  );
  const backups = await pool.query(
    `select backup_id, database_id, kind, covered_from, taken_at, expires_at, deleted_at, key_version_ids, protection, unrestorable, retention_grant_id
       from rm_backups where tenant_id = $1 order by backup_id`,
    [tenantId],
  );
  const links = await pool.query(
    'select backup_id, key_version_id, taken_at, expires_at, deleted_at from rm_backup_key_versions where tenant_id = $1 order by backup_id, key_version_id',
    [tenantId],
  );
  return {
    ring: ring.rows.map((r) => ({ ...r, newest_created_at: iso(r.newest_created_at) }))[0] ?? null,
    versions: versions.rows.map((v) => ({ ...v, created_at: iso(v.created_at), retain_until: iso(v.retain_until), retired_at: iso(v.retired_at) })),
    backups: backups.rows.map((b) => ({
      ...b,
      covered_from: iso(b.covered_from),
      taken_at: iso(b.taken_at),
      expires_at: iso(b.expires_at),
      deleted_at: iso(b.deleted_at),
    })),
    links: links.rows.map((l) => ({ ...l, taken_at: iso(l.taken_at), expires_at: iso(l.expires_at), deleted_at: iso(l.deleted_at) })),
  };
}

/** What the domain says the rows are, for the ring as of the last of `events`. */
/**
 * Every backup the ring ever recorded, as its events left it. The aggregate's state archives backups
 * that can never matter again (archived-backups.ts); the read model keeps listing them.
 */
function recordedBackups(events: readonly KeyRingEvent[]): BackupState[] {
  const backups = new Map<string, BackupState>();
  for (const e of events) {
    if (e.type === 'BackupRecorded') {
      const { at: _at, grantId: _grantId, ...d } = e.data;
      backups.set(d.backupId, { ...d, deletedAt: null });
    } else if (e.type === 'BackupRetentionChanged' && backups.has(e.data.backupId)) {
      backups.set(e.data.backupId, { ...backups.get(e.data.backupId)!, expiresAt: e.data.expiresAt });
    } else if (e.type === 'BackupDeleted' && backups.has(e.data.backupId)) {
      backups.set(e.data.backupId, { ...backups.get(e.data.backupId)!, deletedAt: e.data.at });
    }
  }
  return [...backups.values()];
}

function expected(events: readonly KeyRingEvent[]) {
  const state = events.reduce(evolveKeyRing, initialKeyRingState);
  const allBackups = recordedBackups(events);
  // The grant each backup's retention was last kept past the maximum under (a change without one keeps it).
  const grants = new Map<string, string>();
  for (const e of events) if ((e.type === 'BackupRecorded' || e.type === 'BackupRetentionChanged') && e.data.grantId) grants.set(e.data.backupId, e.data.grantId);
  const retiredWith = new Map(events.flatMap((e) => (e.type === 'KeyVersionRetired' ? [[e.data.keyVersionId, e.data.retainUntil] as const] : [])));
  const newest = newestVersion(state)!;
  return {
    ring: {
      key_custody: state.keyCustody,
      rotation_period_days: state.rotationPeriodDays,
      pitr_retention_days: state.pitrRetentionDays,
      newest_key_version_id: newest.keyVersionId,
      newest_created_at: newest.createdAt,
      destroyed: state.destroyed,
      databases: state.databases.map((d) => {
        const open = d.intervals[d.intervals.length - 1]!;
        return { databaseId: d.databaseId, keyVersionId: open.keyVersionId, since: open.from };
      }),
    },
    versions: state.versions.map((v, ordinal) => ({
      key_version_id: v.keyVersionId,
      ordinal,
      status: versionStatus(state, v.keyVersionId),
      source: v.source,
      created_at: v.createdAt,
      retain_until: v.retiredAt ? retiredWith.get(v.keyVersionId)! : state.destroyed ? null : retainUntil(state, v.keyVersionId),
      retired_at: v.retiredAt,
      backup_count: allBackups.filter((b) => b.deletedAt === null && b.keyVersionIds.includes(v.keyVersionId)).length,
    })),
    backups: allBackups
      .sort((a, b) => (a.backupId < b.backupId ? -1 : 1))
      .map((b) => ({
        backup_id: b.backupId,
        database_id: b.databaseId,
        kind: b.kind,
        covered_from: b.coveredFrom,
        taken_at: b.takenAt,
        expires_at: b.expiresAt,
        deleted_at: b.deletedAt,
        key_version_ids: b.keyVersionIds,
        protection: b.protection,
        unrestorable: b.unrestorable,
        retention_grant_id: grants.get(b.backupId) ?? null,
      })),
  };
}

describe('KeyRingsProjection (incremental)', () => {
  it.each([1, 2, 3, 4])('agrees with the domain after every event, and with a fresh replay (seed %i)', async (seed) => {
    const tenantId = `t-${seed}`;
    const events = history(tenantId, seed, 160);
    // The history exercises what retention depends on.
    const types = new Set(events.map((e) => e.type));
    expect(events.some((e) => (e.type === 'BackupRecorded' || e.type === 'BackupRetentionChanged') && e.data.grantId)).toBe(true);
    for (const t of ['BackupRecorded', 'KeyVersionAdded', 'DatabaseReprotected', 'KeyVersionRetired', 'BackupDeleted', 'BackupRetentionChanged', 'BackupPolicyChanged']) {
      expect(types).toContain(t);
    }
    const stored = recorded(tenantId, events);
    for (let i = 0; i < stored.length; i++) {
      await project([stored[i]], true);
      const { links: _links, ...actual } = await rows(tenantId);
      expect({ event: i, type: events[i].type, ...actual }).toEqual({ event: i, type: events[i].type, ...expected(events.slice(0, i + 1)) });
    }
    const incremental = await rows(tenantId);

    // Replay from scratch, as after the migration resets the checkpoint: the same rows.
    await pool.query('delete from rm_key_rings where tenant_id = $1', [tenantId]);
    await pool.query('delete from rm_key_versions where tenant_id = $1', [tenantId]);
    await pool.query('delete from rm_backups where tenant_id = $1', [tenantId]);
    await pool.query('delete from rm_backup_key_versions where tenant_id = $1', [tenantId]);
    await project(stored, false);
    expect(await rows(tenantId)).toEqual(incremental);
  });

  /** Each tenant's history in turn, one event of each at a time; the rings destroyed last, together. */
  function interleaved(histories: readonly RecordedEvent[][]): RecordedEvent[] {
    const destroyed = histories.flatMap((h) => h.filter((e) => e.type === 'KeyRingDestroyed'));
    const bodies = histories.map((h) => h.filter((e) => e.type !== 'KeyRingDestroyed'));
    const longest = Math.max(...bodies.map((b) => b.length));
    return [...Array.from({ length: longest }, (_, i) => bodies.flatMap((b) => (i < b.length ? [b[i]] : []))).flat(), ...destroyed];
  }

  /** Every column of every row of the tenant's key-ring tables (handleBatch must leave each as handle does). */
  async function everyRow(tenantId: string) {
    const table = async (name: string, order: string) => (await pool.query(`select * from ${name} where tenant_id = $1 order by ${order}`, [tenantId])).rows;
    return {
      rings: await table('rm_key_rings', 'tenant_id'),
      versions: await table('rm_key_versions', 'ordinal'),
      backups: await table('rm_backups', 'backup_id'),
      links: await table('rm_backup_key_versions', 'backup_id, key_version_id'),
    };
  }

  /** How many times an event follows one of the same type of another tenant: a run handleBatch writes set-wise. */
  const crossTenantRuns = (log: readonly RecordedEvent[], type: string) =>
    log.filter((e, i) => i > 0 && e.type === type && log[i - 1].type === type && log[i - 1].streamId !== e.streamId).length;

  it.each([
    [2, 1],
    [2, 7],
    [2, 40],
    [6, 7],
    [6, 1000],
  ])("given %i tenants' interleaved histories, when they are handed over in pages of %i (handleBatch), then the rows are those handle leaves one by one", async (count, page) => {
    const histories = Array.from({ length: count }, (_, i) => `tb-${count}-${page}-${i}`).map((tenantId, i) => recorded(tenantId, history(tenantId, 10 + i, 160)));
    // Interleaved, so runs of one type span tenants.
    const log = interleaved(histories);
    expect(log.filter((e) => e.type === 'BackupRecorded').length).toBeGreaterThan(20);
    if (count === 6) {
      for (const type of ['BackupRecorded', 'KeyRingOpened', 'KeyRingDestroyed', 'KeyVersionRetired', 'KeyVersionDestroyed']) {
        expect({ type, runs: crossTenantRuns(log, type) > 0 }).toEqual({ type, runs: true });
      }
    }
    const client = await pool.connect();
    try {
      await client.query('begin');
      for (let i = 0; i < log.length; i += page) {
        await projection.handleBatch(
          log.slice(i, i + page).map((e) => deliverable(projection.interests, e)!),
          client,
        );
      }
      await client.query('commit');
    } finally {
      client.release();
    }
    const tenantIds = histories.map((h) => h[0].streamId.slice('keys-'.length));
    const batched = await Promise.all(tenantIds.map((tenantId) => everyRow(tenantId)));
    for (const tenantId of tenantIds) {
      for (const table of ['rm_key_rings', 'rm_key_versions', 'rm_backups', 'rm_backup_key_versions']) {
        await pool.query(`delete from ${table} where tenant_id = $1`, [tenantId]);
      }
    }
    await project(log, true);
    expect(await Promise.all(tenantIds.map((tenantId) => everyRow(tenantId)))).toEqual(batched);
  });

  it('reads events stored before the backup policy and protections existed as the domain does', async () => {
    const tenantId = 't-legacy';
    const at = '2024-03-01T00:00:00.000Z';
    const legacy = [
      { type: 'KeyRingOpened', data: { tenantId, keyId: 'k', keyCustody: 'managed', rotationPeriodDays: 365, version: { keyVersionId: 'l-v1', createdAt: at }, databases: ['db-1'], at } },
      { type: 'KeyVersionAdded', data: { keyVersionId: 'l-v2', source: 'policy', createdAt: '2024-04-01T00:00:00.000Z', at: '2024-04-01T00:00:00.000Z' } },
      {
        type: 'BackupRecorded',
        data: {
          backupId: 'old-1',
          databaseId: 'db-1',
          kind: 'full',
          coveredFrom: at,
          takenAt: '2024-03-10T00:00:00.000Z',
          expiresAt: '2024-09-10T00:00:00.000Z',
          keyVersionIds: ['l-v1'],
          restoreKeyVersionId: 'l-v1',
          at: '2024-03-10T00:00:00.000Z',
        },
      },
      { type: 'DatabaseReprotected', data: { databaseId: 'db-1', fromKeyVersionId: 'l-v1', toKeyVersionId: 'l-v2', at: '2024-04-02T00:00:00.000Z' } },
    ] as unknown as KeyRingEvent[];
    await project(recorded(tenantId, legacy), true);
    const { links: _links, ...actual } = await rows(tenantId);
    // The domain folds them as every read path gives them: upcast to the current shape.
    expect(actual).toEqual(expected(legacy.map((e) => upcastEvent({ ...e, metadata: { schemaVersion: 1 } }))));
    // The default window (35 days) is below the backup's expiry: the backup decides.
    expect(actual.versions[0]).toMatchObject({ status: 'superseded', retain_until: '2024-09-10T00:00:00.000Z', backup_count: 1 });
    expect(actual.backups[0]).toMatchObject({ protection: 'customer-key', unrestorable: null });
  });
});
