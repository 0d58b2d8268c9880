import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, type TestDatabase, reportIdleError } from '@lethe/testing';
import { KeyVersionDestroyedError, LocalKeyVault, MasterKey, vaultMigrations } from '@lethe/vault';
import {
  AssetConflictError,
  AssetPurgedError,
  DatabaseAlreadyProtectedError,
  DatabaseKeyVersionMismatchError,
  LocalDataPlane,
  LocalReadProbe,
  UnknownAssetError,
  UnknownDatabaseError,
  dataplaneMigrations,
  platformKeyFrom,
} from '../index.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');

let db: TestDatabase;
let pool: pg.Pool;
const masterKey = MasterKey.generate();
const clock = new ManualClock(T0);
let vault: LocalKeyVault;
let plane: LocalDataPlane;
let probe: LocalReadProbe;

beforeAll(async () => {
  db = await createTestDatabase();
  expect(await runMigrations(db.url, [...vaultMigrations, ...dataplaneMigrations])).toEqual([
    'CreateVaultTables1764400000020',
    'CreateMasterKeyCheck1764400000021',
    'CreateDataPlaneTables1764400000025',
    'AddDataPlaneBackups1764400000026',
    'VersionRequestIds1764400000070',
    'CreateBlobAssets1764400000150',
    'LocalVaultDeletionWindows1764400000170',
  ]);
  pool = new pg.Pool({ connectionString: db.url, max: 6 });
  pool.on('error', reportIdleError);
  vault = new LocalKeyVault(pool, masterKey, clock);
  plane = new LocalDataPlane(pool, vault, platformKeyFrom(masterKey), clock);
  probe = new LocalReadProbe(pool, vault);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

let seq = 0;
const tenant = () => `dp-tenant-${++seq}`;

async function row(tenantId: string, databaseId: string) {
  const r = await pool.query('select * from dataplane_databases where tenant_id = $1 and database_id = $2', [tenantId, databaseId]);
  return r.rows[0];
}

describe('LocalDataPlane: databases', () => {
  it('protects a database with envelope encryption: wrapped data key and a sentinel, readable by the probe', async () => {
    const t = tenant();
    const key = await vault.createKey(t);
    await plane.protectDatabase(t, 'db-main', key.versionId);
    expect(await plane.databasesOf(t)).toEqual([{ databaseId: 'db-main', keyVersionId: key.versionId }]);
    const stored = await row(t, 'db-main');
    expect(stored.key_version_id).toBe(key.versionId);
    expect(stored.protected_at).toEqual(clock.now());
    // The data key is stored only wrapped: the vault unwraps it to 32 bytes that appear nowhere in the row.
    const dataKey = await vault.unwrap(key.versionId, stored.wrapped_data_key);
    expect(dataKey).toHaveLength(32);
    expect(stored.wrapped_data_key.includes(dataKey)).toBe(false);
    expect(stored.sentinel.includes(Buffer.from(`lethe-sentinel:${t}`))).toBe(false);
    expect((await probe.probe(t, 'db-main')).outcome).toBe('readable');
  });

  it('protectDatabase is idempotent with the same version and refuses another version', async () => {
    const t = tenant();
    const key = await vault.createKey(t);
    const v2 = await vault.createVersion(key.keyId);
    await plane.protectDatabase(t, 'db', key.versionId);
    const before = await row(t, 'db');
    clock.advance(1000);
    await plane.protectDatabase(t, 'db', key.versionId);
    expect(await row(t, 'db')).toEqual(before);
    const error = await plane.protectDatabase(t, 'db', v2.versionId).catch((e: Error) => e);
    expect(error).toBeInstanceOf(DatabaseAlreadyProtectedError);
    expect(error).toMatchObject({ currentVersionId: key.versionId, requestedVersionId: v2.versionId });
  });

  it('concurrent protectDatabase calls store one data key', async () => {
    const t = tenant();
    const key = await vault.createKey(t);
    await Promise.all(Array.from({ length: 6 }, () => plane.protectDatabase(t, 'db', key.versionId)));
    expect(await plane.databasesOf(t)).toEqual([{ databaseId: 'db', keyVersionId: key.versionId }]);
    expect((await probe.probe(t, 'db')).outcome).toBe('readable');
  });

  it('passes vault errors through and stores nothing when the version is destroyed', async () => {
    const t = tenant();
    const key = await vault.createKey(t);
    await vault.destroy(key.versionId);
    await expect(plane.protectDatabase(t, 'db', key.versionId)).rejects.toBeInstanceOf(KeyVersionDestroyedError);
    expect(await plane.databasesOf(t)).toEqual([]);
  });

  it('reprotects to a new version: same data key, new wrap; destroying only the old version leaves the data readable', async () => {
    const t = tenant();
    const key = await vault.createKey(t);
    await plane.protectDatabase(t, 'db-a', key.versionId);
    await plane.protectDatabase(t, 'db-b', key.versionId);
    const v2 = await vault.createVersion(key.keyId);
    const before = await row(t, 'db-a');
    const dataKey = await vault.unwrap(key.versionId, before.wrapped_data_key);

    clock.advance(60_000);
    await plane.reprotectDatabase(t, 'db-a', key.versionId, v2.versionId);
    const after = await row(t, 'db-a');
    expect(after.key_version_id).toBe(v2.versionId);
    expect(after.reprotected_at).toEqual(clock.now());
    expect(after.sentinel).toEqual(before.sentinel);
    expect((await vault.unwrap(v2.versionId, after.wrapped_data_key)).equals(dataKey)).toBe(true);
    expect(await plane.databasesOf(t)).toEqual([
      { databaseId: 'db-a', keyVersionId: v2.versionId },
      { databaseId: 'db-b', keyVersionId: key.versionId },
    ]);

    // Retries are no-ops; a stale "from" is refused.
    await plane.reprotectDatabase(t, 'db-a', key.versionId, v2.versionId);
    expect(await row(t, 'db-a')).toEqual(after);
    const v3 = await vault.createVersion(key.keyId);
    await expect(plane.reprotectDatabase(t, 'db-a', v3.versionId, key.versionId)).rejects.toBeInstanceOf(DatabaseKeyVersionMismatchError);
    await expect(plane.reprotectDatabase(t, 'nope', key.versionId, v2.versionId)).rejects.toBeInstanceOf(UnknownDatabaseError);

    // Concurrent reprotects of db-b agree.
    await Promise.all(Array.from({ length: 4 }, () => plane.reprotectDatabase(t, 'db-b', key.versionId, v2.versionId)));
    expect((await plane.databasesOf(t)).map((d) => d.keyVersionId)).toEqual([v2.versionId, v2.versionId]);

    await vault.destroy(key.versionId);
    expect((await probe.probe(t, 'db-a')).outcome).toBe('readable');
    expect((await probe.probe(t, 'db-b')).outcome).toBe('readable');
    // Reprotecting away from a destroyed version is impossible: the data key is gone with it.
    await plane.protectDatabase(t, 'db-c', v2.versionId);
    await vault.destroy(v2.versionId);
    await expect(plane.reprotectDatabase(t, 'db-c', v2.versionId, v3.versionId)).rejects.toBeInstanceOf(KeyVersionDestroyedError);
    expect((await probe.probe(t, 'db-a')).outcome).toBe('key-destroyed');
  });
});

describe('LocalDataPlane: platform-key assets', () => {
  it('lists, reads and purges staging blobs and platform backups; the tenant key shred alone leaves them readable', async () => {
    const t = tenant();
    const other = tenant();
    const key = await vault.createKey(t);
    await plane.protectDatabase(t, 'db', key.versionId);
    await plane.addStagingAsset(t, 'stage-2');
    await plane.addStagingAsset(t, 'stage-1');
    await plane.addPlatformBackup(t, 'bk-1', 'db');
    await plane.addPlatformBackup(t, 'bk-1', 'db'); // idempotent
    await plane.addStagingAsset(t, 'stage-1'); // idempotent
    await plane.addStagingAsset(other, 'stage-1');
    await expect(plane.addPlatformBackup(t, 'bk-1', 'db-other')).rejects.toBeInstanceOf(AssetConflictError);
    expect(await plane.listAssets(t)).toEqual([
      { kind: 'platform-backup', id: 'bk-1' },
      { kind: 'staging', id: 'stage-1' },
      { kind: 'staging', id: 'stage-2' },
    ]);
    expect((await plane.readAsset(t, 'platform-backup', 'bk-1')).toString()).toContain(`lethe-sentinel:${t}:db`);
    await expect(plane.readAsset(t, 'staging', 'nope')).rejects.toBeInstanceOf(UnknownAssetError);
    expect(await plane.checkAsset(t, 'platform-backup', 'bk-1')).toEqual({ readable: true });
    expect(await plane.checkAsset(t, 'staging', 'nope')).toMatchObject({ readable: false, reason: 'unknown-asset' });

    // Shredding the tenant key makes the database unreadable, but not the platform-key assets.
    await vault.destroyKey(key.keyId);
    expect((await probe.probe(t, 'db')).outcome).toBe('key-destroyed');
    expect((await plane.readAsset(t, 'platform-backup', 'bk-1')).toString()).toContain(`lethe-backup:${t}:db:bk-1`);
    expect((await plane.readAsset(t, 'staging', 'stage-1')).toString()).toBe(`lethe-staging:${t}:stage-1`);

    clock.advance(3_600_000);
    const purgedAt = clock.now();
    const purged = await plane.purgeAssets(t);
    expect(purged).toEqual([
      { kind: 'platform-backup', id: 'bk-1', purgedAt },
      { kind: 'staging', id: 'stage-1', purgedAt },
      { kind: 'staging', id: 'stage-2', purgedAt },
    ]);
    expect(await plane.listAssets(t)).toEqual([]);
    for (const [kind, id] of [['platform-backup', 'bk-1'], ['staging', 'stage-1'], ['staging', 'stage-2']] as const) {
      await expect(plane.readAsset(t, kind, id)).rejects.toBeInstanceOf(AssetPurgedError);
      expect(await plane.checkAsset(t, kind, id)).toEqual({ readable: false, reason: 'asset-purged', detail: `${kind} asset ${id} of tenant ${t} was purged` });
    }
    const content = await pool.query('select count(*)::int as n from dataplane_assets where tenant_id = $1 and sealed_content is not null', [t]);
    expect(content.rows[0].n).toBe(0);

    // A retry returns the same record; a purged id cannot come back; other tenants are untouched.
    clock.advance(60_000);
    expect(await plane.purgeAssets(t)).toEqual(purged);
    await expect(plane.addStagingAsset(t, 'stage-1')).rejects.toBeInstanceOf(AssetPurgedError);
    await expect(plane.addPlatformBackup(t, 'bk-1', 'db')).rejects.toBeInstanceOf(AssetPurgedError);
    expect(await plane.listAssets(other)).toEqual([{ kind: 'staging', id: 'stage-1' }]);
    expect((await plane.readAsset(other, 'staging', 'stage-1')).toString()).toBe(`lethe-staging:${other}:stage-1`);

    // An asset added later is purged by the next call, which still reports the earlier ones unchanged.
    await plane.addStagingAsset(t, 'stage-late');
    const later = await plane.purgeAssets(t);
    expect(later).toEqual([...purged, { kind: 'staging', id: 'stage-late', purgedAt: clock.now() }]);
    expect(await plane.purgeAssets(tenant())).toEqual([]);
  });

  it('assets are sealed with the platform key, not readable with another one', async () => {
    const t = tenant();
    await plane.addStagingAsset(t, 's');
    const impostor = new LocalDataPlane(pool, vault, platformKeyFrom(MasterKey.generate()), clock);
    await expect(impostor.readAsset(t, 'staging', 's')).rejects.toThrow(/decryption failed/);
    expect(await impostor.checkAsset(t, 'staging', 's')).toMatchObject({ readable: false, reason: 'corrupt' });
    const stored = await pool.query('select sealed_content from dataplane_assets where tenant_id = $1', [t]);
    expect(stored.rows[0].sealed_content.includes(Buffer.from('lethe-staging'))).toBe(false);
  });
});
