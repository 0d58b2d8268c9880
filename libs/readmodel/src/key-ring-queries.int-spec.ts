// The paged key-ring read queries over rows the projection wrote from decider-made events.
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { decideKeyRing, evolveKeyRing, initialKeyRingState, type KeyRingCommand, type KeyRingEvent, type KeyRingState } from '@lethe/domain';
import { runMigrations } from '@lethe/postgres';
import { processorMigrations, deliverable } from '@lethe/processors';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { KeyRingsProjection } from './key-ring-projection.js';
import { KeyRingQueries, type BackupItem, type BackupsQuery } from './key-ring-queries.js';
import { InvalidPageRequestError } from './page-cursor.js';
import { readModelMigrations } from './index.js';

let db: TestDatabase;
let pool: pg.Pool;
let queries: KeyRingQueries;

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.parse('2026-01-05T00:00:00.000Z');
const iso = (t: number) => new Date(t).toISOString();
/** The instant live and expired are judged at. */
const NOW = new Date(T0 + 30 * DAY);

/** Runs commands through the decider at the given instants; answers the events. */
function decide(tenantId: string, steps: readonly [number, KeyRingCommand][]): KeyRingEvent[] {
  let state: KeyRingState = initialKeyRingState;
  const events: KeyRingEvent[] = [];
  for (const [at, command] of steps) {
    for (const e of decideKeyRing(command, state, { now: new Date(at) })) {
      state = evolveKeyRing(state, e);
      events.push(e);
    }
  }
  return events;
}

async function project(tenantId: string, events: readonly KeyRingEvent[]): Promise<void> {
  const projection = new KeyRingsProjection();
  const client = await pool.connect();
  try {
    await client.query('begin');
    for (const [i, e] of events.entries()) {
      const data = JSON.parse(JSON.stringify(e.data));
      const recorded = { id: randomUUID(), streamId: `keys-${tenantId}`, revision: BigInt(i), position: BigInt(i + 1), type: e.type, data, metadata: {}, recordedAt: new Date() };
      await projection.handle(deliverable(projection.interests, recorded)!, client);
    }
    await client.query('commit');
  } finally {
    client.release();
  }
}

const backup = (backupId: string, takenAt: number, expiresInDays: number, databaseId = 'db-1'): KeyRingCommand => ({
  type: 'RecordBackup',
  data: {
    backupId,
    databaseId,
    kind: 'full',
    coveredFrom: iso(takenAt - DAY / 2),
    takenAt: iso(takenAt),
    expiresAt: iso(takenAt + expiresInDays * DAY),
    protection: 'customer-key',
  },
});

/**
 * Tenant `acme`: v1 from T0, v2 from day 10 (db-1 moves on day 10, db-2 on day 20). 24 backups of
 * db-1, one a day, two per day on days 3 and 4 (same takenAt: ordered by id); expiry alternates so
 * some are expired at NOW; b-07 and b-15 are deleted.
 */
function acme(): KeyRingEvent[] {
  const steps: [number, KeyRingCommand][] = [
    [
      T0,
      {
        type: 'OpenKeyRing',
        data: {
          tenantId: 'acme',
          keyId: 'acme-key',
          keyCustody: 'managed',
          rotationPeriodDays: 365,
          pitrRetentionDays: 7,
          version: { keyVersionId: 'acme-v1', createdAt: iso(T0) },
          databases: ['db-1', 'db-2'],
        },
      },
    ],
    [T0 + 10 * DAY, { type: 'AddKeyVersion', data: { keyVersionId: 'acme-v2', source: 'manual', createdAt: iso(T0 + 10 * DAY) } }],
    [T0 + 10 * DAY, { type: 'RecordReprotection', data: { databaseId: 'db-1', fromKeyVersionId: 'acme-v1', toKeyVersionId: 'acme-v2' } }],
    [T0 + 20 * DAY, { type: 'RecordReprotection', data: { databaseId: 'db-2', fromKeyVersionId: 'acme-v1', toKeyVersionId: 'acme-v2' } }],
  ];
  for (let day = 1; day <= 22; day++) {
    const takenAt = T0 + day * DAY + 60_000;
    steps.push([T0 + 29 * DAY, backup(`b-${String(day).padStart(2, '0')}`, takenAt, day % 2 === 0 ? 60 : 5)]);
    if (day === 3 || day === 4) steps.push([T0 + 29 * DAY, backup(`b-${String(day).padStart(2, '0')}x`, takenAt, 60)]);
  }
  steps.push([T0 + 29 * DAY, { type: 'DeleteBackup', data: { backupId: 'b-07' } }]);
  steps.push([T0 + 29 * DAY, { type: 'DeleteBackup', data: { backupId: 'b-15' } }]);
  return decide('acme', steps);
}

let all: BackupItem[];

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...processorMigrations, ...readModelMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', reportIdleError);
  queries = new KeyRingQueries(pool);
  await project('acme', acme());
  // Another tenant's rows never show.
  await project(
    'other',
    decide('other', [
      [
        T0,
        {
          type: 'OpenKeyRing',
          data: { tenantId: 'other', keyId: 'o', keyCustody: 'managed', rotationPeriodDays: 365, pitrRetentionDays: 7, version: { keyVersionId: 'other-v1', createdAt: iso(T0) }, databases: ['db-1'] },
        },
      ],
      [T0 + 29 * DAY, backup('b-01', T0 + DAY, 60)],
    ]),
  );
  all = (await queries.backups('acme', { now: NOW, limit: 1000 })).items as BackupItem[];
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

/** Every page of a listing, following nextCursor. */
async function walk(query: BackupsQuery): Promise<{ pages: BackupItem[][]; cursors: (string | null)[] }> {
  const pages: BackupItem[][] = [];
  const cursors: (string | null)[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await queries.backups('acme', { ...query, cursor });
    pages.push([...page.items]);
    cursors.push(page.nextCursor);
    if (page.nextCursor === null) return { pages, cursors };
    cursor = page.nextCursor;
  }
  throw new Error('no last page after 100 pages');
}

const ids = (items: readonly BackupItem[]) => items.map((b) => b.backupId);

describe('KeyRingQueries.ring and keyVersions', () => {
  it('answers the ring with where each database stands, and null for an unknown tenant', async () => {
    expect(await queries.ring('acme')).toEqual({
      tenantId: 'acme',
      keyCustody: 'managed',
      rotationPeriodDays: 365,
      pitrRetentionDays: 7,
      newestKeyVersionId: 'acme-v2',
      destroyed: false,
      databases: [
        { databaseId: 'db-1', keyVersionId: 'acme-v2', since: iso(T0 + 10 * DAY) },
        { databaseId: 'db-2', keyVersionId: 'acme-v2', since: iso(T0 + 20 * DAY) },
      ],
    });
    expect(await queries.ring('nobody')).toBeNull();
  });

  it('lists versions oldest first with the number of backups holding each, no ids', async () => {
    const page = await queries.keyVersions('acme');
    expect(page.nextCursor).toBeNull();
    // v1 protected db-1 until day 10: backups of days 1..10 (and 3x, 4x) need it, b-07 is deleted.
    // v2 from day 10: days 10..22, b-15 deleted. The day-10 backup covers the switch: it needs both.
    expect(page.items.map((v) => [v.keyVersionId, v.status, v.backupCount])).toEqual([
      ['acme-v1', 'superseded', 11],
      ['acme-v2', 'active', 12],
    ]);
    expect(page.items[0]).not.toHaveProperty('backupIds');
    // The latest expiry among v1's live backups: b-10 (day 10 + 60).
    expect(page.items[0].retainUntil).toBe(iso(T0 + 10 * DAY + 60_000 + 60 * DAY));
  });

  it('pages versions with a cursor, the last page saying so', async () => {
    const first = await queries.keyVersions('acme', { limit: 1 });
    expect(first.items.map((v) => v.keyVersionId)).toEqual(['acme-v1']);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await queries.keyVersions('acme', { limit: 1, cursor: first.nextCursor! });
    expect(second.items.map((v) => v.keyVersionId)).toEqual(['acme-v2']);
    expect(second.nextCursor).toBeNull();
  });
});

describe('KeyRingQueries.backups', () => {
  it('orders by takenAt, then backupId for backups taken at the same instant, with each status', () => {
    expect(ids(all)).toEqual([
      'b-01', 'b-02', 'b-03', 'b-03x', 'b-04', 'b-04x', 'b-05', 'b-06', 'b-07', 'b-08', 'b-09', 'b-10', 'b-11', 'b-12',
      'b-13', 'b-14', 'b-15', 'b-16', 'b-17', 'b-18', 'b-19', 'b-20', 'b-21', 'b-22',
    ]);
    const status = Object.fromEntries(all.map((b) => [b.backupId, b.status]));
    // Odd days expire after 5 days: expired at NOW (day 30) up to day 24 taken, i.e. every odd one.
    expect(status).toMatchObject({ 'b-01': 'expired', 'b-02': 'live', 'b-07': 'deleted', 'b-15': 'deleted', 'b-21': 'expired', 'b-22': 'live' });
    expect(all[0]).toMatchObject({ databaseId: 'db-1', kind: 'full', protection: 'customer-key', keyVersionIds: ['acme-v1'], unrestorable: null, deletedAt: null });
  });

  it('walks every backup once across pages, and the last page has nextCursor null', async () => {
    const { pages, cursors } = await walk({ now: NOW, limit: 5 });
    expect(pages.map((p) => p.length)).toEqual([5, 5, 5, 5, 4]);
    expect(cursors.slice(0, -1).every((c) => typeof c === 'string')).toBe(true);
    expect(cursors[cursors.length - 1]).toBeNull();
    expect(pages.flat().map((b) => b.backupId)).toEqual(ids(all));
    // A page boundary inside the two backups taken at the same instant loses neither.
    const tie = await walk({ now: NOW, limit: 3 });
    expect(tie.pages[0].map((b) => b.backupId)).toEqual(['b-01', 'b-02', 'b-03']);
    expect(tie.pages[1].map((b) => b.backupId)).toEqual(['b-03x', 'b-04', 'b-04x']);
    expect(tie.pages.flat().map((b) => b.backupId)).toEqual(ids(all));
  });

  it('a last page that is exactly full has nextCursor null (no empty page after it)', async () => {
    const { pages, cursors } = await walk({ now: NOW, limit: 12 });
    expect(pages.map((p) => p.length)).toEqual([12, 12]);
    expect(cursors).toEqual([expect.any(String), null]);
  });

  it('filters by the key version a backup needs', async () => {
    const v1 = await walk({ now: NOW, keyVersionId: 'acme-v1', limit: 4 });
    const expectedV1 = all.filter((b) => b.keyVersionIds.includes('acme-v1'));
    expect(v1.pages.flat().map((b) => b.backupId)).toEqual(ids(expectedV1));
    expect(ids(expectedV1)).toEqual(['b-01', 'b-02', 'b-03', 'b-03x', 'b-04', 'b-04x', 'b-05', 'b-06', 'b-07', 'b-08', 'b-09', 'b-10']);
    const v2 = await queries.backups('acme', { now: NOW, keyVersionId: 'acme-v2' });
    expect(ids(v2.items)).toEqual(ids(all.filter((b) => b.keyVersionIds.includes('acme-v2'))));
    expect(v2.items[0].backupId).toBe('b-10');
    expect((await queries.backups('acme', { now: NOW, keyVersionId: 'other-v1' })).items).toEqual([]);
  });

  it('filters by status as judged at now', async () => {
    for (const status of ['live', 'expired', 'deleted'] as const) {
      const { pages } = await walk({ now: NOW, status, limit: 4 });
      expect(pages.flat().map((b) => b.backupId)).toEqual(ids(all.filter((b) => b.status === status)));
      expect(pages.flat().every((b) => b.status === status)).toBe(true);
    }
    expect(ids((await queries.backups('acme', { now: NOW, status: 'deleted' })).items)).toEqual(['b-07', 'b-15']);
    // Later, what was live has expired.
    const later = await queries.backups('acme', { now: new Date(T0 + 200 * DAY), status: 'live' });
    expect(later.items).toEqual([]);
  });

  it('combines the filters', async () => {
    const { pages } = await walk({ now: NOW, keyVersionId: 'acme-v1', status: 'live', limit: 2 });
    expect(pages.flat().map((b) => b.backupId)).toEqual(['b-02', 'b-03x', 'b-04', 'b-04x', 'b-06', 'b-08', 'b-10']);
  });

  it('answers an empty last page for an unknown tenant', async () => {
    expect(await queries.backups('nobody', { now: NOW })).toEqual({ items: [], nextCursor: null });
  });

  it('refuses a malformed cursor, another listing\'s cursor or a bad limit, naming the field', async () => {
    const versionsCursor = (await queries.keyVersions('acme', { limit: 1 })).nextCursor!;
    const backupsCursor = (await queries.backups('acme', { now: NOW, limit: 1 })).nextCursor!;
    const tampered = Buffer.from(JSON.stringify(['backups', 'not-an-instant', 'b-01'])).toString('base64url');
    for (const cursor of ['***', 'bm90IGpzb24', versionsCursor, tampered, '']) {
      await expect(queries.backups('acme', { now: NOW, cursor })).rejects.toMatchObject({ name: 'InvalidPageRequestError', field: 'cursor' });
    }
    await expect(queries.keyVersions('acme', { cursor: backupsCursor })).rejects.toBeInstanceOf(InvalidPageRequestError);
    for (const limit of [0, 1001, 2.5]) {
      await expect(queries.backups('acme', { now: NOW, limit })).rejects.toMatchObject({ field: 'limit' });
    }
  });
});
