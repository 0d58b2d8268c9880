import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, type TestDatabase, reportIdleError } from '@lethe/testing';
import { LocalKeyVault, MasterKey, UnknownKeyVersionError, looksLikeKeyMaterial, vaultMigrations, type KeyVault } from '@lethe/vault';
import {
  BackupConflictError,
  BackupDeletedError,
  KeyVersionUnusableError,
  LocalDataPlane,
  UnknownBackupError,
  UnknownDatabaseError,
  dataplaneMigrations,
  platformKeyFrom,
  type RestoreCheckResult,
} from '../index.js';

let db: TestDatabase;
let pool: pg.Pool;
const masterKey = MasterKey.generate();
const clock = new ManualClock(new Date('2026-03-02T09:00:00.000Z'));
let vault: LocalKeyVault;
let plane: LocalDataPlane;
/** Every verdict, detail and error message, collected for the no-leak check at the end. */
const texts: string[] = [];
const dataKeys: Buffer[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...vaultMigrations, ...dataplaneMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 6 });
  pool.on('error', reportIdleError);
  vault = new LocalKeyVault(pool, masterKey, clock);
  plane = new LocalDataPlane(pool, vault, platformKeyFrom(masterKey), clock);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

async function check(t: string, backupId: string, p: LocalDataPlane = plane): Promise<RestoreCheckResult> {
  const result = await p.restoreCheck(t, backupId);
  texts.push(JSON.stringify(result));
  return result;
}

async function failure<T>(promise: Promise<T>): Promise<Error> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: Error) => e,
  );
  texts.push(error.message, JSON.stringify(error));
  return error;
}

let seq = 0;
/** A tenant with a key and one protected database `db`; its data key kept for the no-leak check. */
async function protectedTenant() {
  const t = `bk-tenant-${++seq}`;
  const key = await vault.createKey(t);
  await plane.protectDatabase(t, 'db', key.versionId);
  const stored = await pool.query('select wrapped_data_key from dataplane_databases where tenant_id = $1', [t]);
  dataKeys.push(await vault.unwrap(key.versionId, stored.rows[0].wrapped_data_key));
  return { t, key };
}

async function backupRow(t: string, backupId: string) {
  const r = await pool.query('select * from dataplane_key_backups where tenant_id = $1 and backup_id = $2', [t, backupId]);
  return r.rows[0];
}

describe('LocalDataPlane: customer-key backups', () => {
  it('a recorded backup is restorable; its data key copy is wrapped, its sentinel sealed', async () => {
    const { t, key } = await protectedTenant();
    await plane.recordBackup(t, 'bk-1', 'db', key.versionId);
    expect(await check(t, 'bk-1')).toEqual({ restorable: true, keyVersionId: key.versionId });
    const stored = await backupRow(t, 'bk-1');
    expect(stored).toMatchObject({ database_id: 'db', key_version_id: key.versionId, recorded_at: clock.now(), deleted_at: null });
    const dataKey = await vault.unwrap(key.versionId, stored.wrapped_data_key);
    expect(dataKey.equals(dataKeys.at(-1)!)).toBe(true);
    expect(stored.wrapped_data_key.includes(dataKey)).toBe(false);
    expect(stored.sentinel.includes(Buffer.from('lethe-backup-sentinel'))).toBe(false);
  });

  it('key-version retention: old backups need the old version, and fail once it is disabled, then destroyed', async () => {
    const { t, key } = await protectedTenant();
    const v1 = key.versionId;
    await plane.recordBackup(t, 'bk-before', 'db', v1);

    // Rotation: the database moves to v2; the backup taken before still needs (and has) v1.
    const v2 = (await vault.createVersion(key.keyId)).versionId;
    await plane.reprotectDatabase(t, 'db', v1, v2);
    expect(await check(t, 'bk-before')).toEqual({ restorable: true, keyVersionId: v1 });

    // A backup taken before the rotation, recorded after it: re-wrapped from v2 to v1.
    await plane.recordBackup(t, 'bk-late', 'db', v1);
    expect(await check(t, 'bk-late')).toEqual({ restorable: true, keyVersionId: v1 });
    expect((await backupRow(t, 'bk-late')).key_version_id).toBe(v1);
    // A backup under the new version.
    await plane.recordBackup(t, 'bk-after', 'db', v2);
    expect(await check(t, 'bk-after')).toEqual({ restorable: true, keyVersionId: v2 });

    // Retire v1: disable...
    await vault.disable(v1);
    for (const id of ['bk-before', 'bk-late']) {
      const disabled = await check(t, id);
      expect(disabled).toEqual({ restorable: false, keyVersionId: v1, reason: 'key-version-disabled', detail: expect.stringContaining(v1) });
    }
    // ...recording another backup under it is refused with a typed error, nothing stored...
    const refused = await failure(plane.recordBackup(t, 'bk-refused', 'db', v1));
    expect(refused).toBeInstanceOf(KeyVersionUnusableError);
    expect(refused).toMatchObject({ code: 'KEY_VERSION_UNUSABLE', versionId: v1, state: 'disabled', backupId: 'bk-refused' });
    expect(await backupRow(t, 'bk-refused')).toBeUndefined();
    // ...then destroy.
    await vault.destroy(v1);
    for (const id of ['bk-before', 'bk-late']) {
      const destroyed = await check(t, id);
      expect(destroyed).toEqual({ restorable: false, keyVersionId: v1, reason: 'key-version-destroyed', detail: expect.stringContaining(v1) });
    }
    expect(await failure(plane.recordBackup(t, 'bk-refused', 'db', v1))).toMatchObject({ state: 'destroyed', versionId: v1 });
    // The backup under v2 stays restorable.
    expect(await check(t, 'bk-after')).toEqual({ restorable: true, keyVersionId: v2 });
    // A database on a disabled version cannot hand its data key to a backup under a live version.
    await vault.disable(v2);
    const v3 = (await vault.createVersion(key.keyId)).versionId;
    expect(await failure(plane.recordBackup(t, 'bk-v3', 'db', v3))).toMatchObject({ state: 'disabled', versionId: v2 });
  });

  it('recordBackup is idempotent; another version or database for the id is a conflict; unknown database', async () => {
    const { t, key } = await protectedTenant();
    await plane.protectDatabase(t, 'db-2', key.versionId);
    const v2 = (await vault.createVersion(key.keyId)).versionId;
    await plane.recordBackup(t, 'bk', 'db', key.versionId);
    const before = await backupRow(t, 'bk');
    clock.advance(1000);
    await plane.recordBackup(t, 'bk', 'db', key.versionId);
    await Promise.all(Array.from({ length: 4 }, () => plane.recordBackup(t, 'bk', 'db', key.versionId)));
    expect(await backupRow(t, 'bk')).toEqual(before);

    const conflict = await failure(plane.recordBackup(t, 'bk', 'db', v2));
    expect(conflict).toBeInstanceOf(BackupConflictError);
    expect(conflict).toMatchObject({
      recorded: { databaseId: 'db', keyVersionId: key.versionId },
      requested: { databaseId: 'db', keyVersionId: v2 },
    });
    expect(await failure(plane.recordBackup(t, 'bk', 'db-2', key.versionId))).toBeInstanceOf(BackupConflictError);
    expect(await failure(plane.recordBackup(t, 'bk-x', 'nope', key.versionId))).toBeInstanceOf(UnknownDatabaseError);
    expect(await failure(plane.recordBackup(t, 'bk-x', 'db', 'no-such-version'))).toBeInstanceOf(UnknownKeyVersionError);
    expect(await backupRow(t, 'bk-x')).toBeUndefined();

    // Concurrent first records store one backup.
    await Promise.all(Array.from({ length: 6 }, () => plane.recordBackup(t, 'bk-race', 'db', v2)));
    expect(await check(t, 'bk-race')).toEqual({ restorable: true, keyVersionId: v2 });
    await expect(plane.restoreCheck(t, '')).rejects.toBeInstanceOf(TypeError);
  });

  it('deleteBackup erases the copy and keeps the record; idempotent; unknown backups', async () => {
    const { t, key } = await protectedTenant();
    await plane.recordBackup(t, 'bk', 'db', key.versionId);
    clock.advance(60_000);
    const deletedAt = clock.now();
    await plane.deleteBackup(t, 'bk');
    expect(await backupRow(t, 'bk')).toMatchObject({ wrapped_data_key: null, sentinel: null, deleted_at: deletedAt, key_version_id: key.versionId });
    expect(await check(t, 'bk')).toEqual({
      restorable: false,
      keyVersionId: key.versionId,
      reason: 'backup-deleted',
      detail: expect.stringContaining('bk'),
    });
    clock.advance(60_000);
    await plane.deleteBackup(t, 'bk');
    expect((await backupRow(t, 'bk')).deleted_at).toEqual(deletedAt);
    expect(await failure(plane.recordBackup(t, 'bk', 'db', key.versionId))).toBeInstanceOf(BackupDeletedError);

    expect(await check(t, 'nope')).toEqual({ restorable: false, keyVersionId: null, reason: 'unknown-backup', detail: expect.stringContaining('nope') });
    expect(await check('bk-tenant-none', 'bk')).toMatchObject({ restorable: false, reason: 'unknown-backup' });
    expect(await failure(plane.deleteBackup(t, 'nope'))).toBeInstanceOf(UnknownBackupError);
  });

  it('purgeAssets leaves customer-key backups alone; destroying the tenant key makes them unrestorable', async () => {
    const { t, key } = await protectedTenant();
    await plane.recordBackup(t, 'bk', 'db', key.versionId);
    await plane.addPlatformBackup(t, 'pbk', 'db');
    expect(await plane.purgeAssets(t)).toEqual([{ kind: 'platform-backup', id: 'pbk', purgedAt: clock.now() }]);
    expect(await check(t, 'bk')).toEqual({ restorable: true, keyVersionId: key.versionId });
    await vault.destroyKey(key.keyId);
    expect(await check(t, 'bk')).toMatchObject({ restorable: false, reason: 'key-version-destroyed' });
    expect((await backupRow(t, 'bk')).wrapped_data_key).not.toBeNull();
  });

  it('altered records are corrupt; vault and database failures are inconclusive, without foreign messages', async () => {
    const { t, key } = await protectedTenant();
    for (const id of ['a', 'b', 'c', 'd']) await plane.recordBackup(t, id, 'db', key.versionId);
    await pool.query(`update dataplane_key_backups set wrapped_data_key = wrapped_data_key || '\\x00'::bytea where tenant_id = $1 and backup_id = 'a'`, [t]);
    expect(await check(t, 'a')).toMatchObject({ restorable: false, keyVersionId: key.versionId, reason: 'corrupt' });
    await pool.query(`update dataplane_key_backups set sentinel = set_byte(sentinel, length(sentinel) - 1, 0) where tenant_id = $1 and backup_id = 'b'`, [t]);
    expect(await check(t, 'b')).toMatchObject({ restorable: false, reason: 'corrupt' });
    // Another backup's sentinel does not pass for this one (bound to tenant, backup and database).
    await pool.query(
      `update dataplane_key_backups set sentinel = (select sentinel from dataplane_key_backups where tenant_id = $1 and backup_id = 'd')
        where tenant_id = $1 and backup_id = 'c'`,
      [t],
    );
    expect(await check(t, 'c')).toMatchObject({ restorable: false, reason: 'corrupt' });

    const secretish = 'c2VjcmV0LWtleS1tYXRlcmlhbC1kby1ub3QtbGVhaw==';
    const failing: KeyVault = Object.assign(Object.create(vault) as KeyVault, {
      unwrap: async () => {
        throw Object.assign(new Error(`vault exploded: ${secretish}`), { code: 'EBOOM' });
      },
    });
    const broken = await check(t, 'd', new LocalDataPlane(pool, failing, platformKeyFrom(masterKey), clock));
    expect(broken).toEqual({ restorable: false, keyVersionId: key.versionId, reason: 'inconclusive', detail: expect.stringContaining('Error (EBOOM)') });
    expect(JSON.stringify(broken)).not.toContain(secretish);
    expect(JSON.stringify(broken)).not.toContain('exploded');
    const wrongMaster = new LocalDataPlane(pool, new LocalKeyVault(pool, MasterKey.generate(), clock), platformKeyFrom(masterKey), clock);
    expect(await check(t, 'd', wrongMaster)).toMatchObject({ reason: 'inconclusive', detail: expect.stringContaining('MasterKeyMismatchError') });
    const ended = new pg.Pool({ connectionString: db.url, max: 1 });
    ended.on('error', reportIdleError);
    await ended.end();
    const blind = await check(t, 'd', new LocalDataPlane(ended, vault, platformKeyFrom(masterKey), clock));
    expect(blind).toMatchObject({ restorable: false, keyVersionId: null, reason: 'inconclusive' });
    expect(await check(t, 'd')).toEqual({ restorable: true, keyVersionId: key.versionId });
  });

  it('no result, detail or error message carries anything that looks like key material', async () => {
    expect(texts.length).toBeGreaterThan(25);
    expect(dataKeys.length).toBeGreaterThan(4);
    const master = masterKey.exportBytes();
    for (const text of texts) {
      expect(looksLikeKeyMaterial(text)).toBe(false);
      for (const key of [...dataKeys, master]) {
        for (const encoded of [key.toString('hex'), key.toString('base64'), key.toString('base64url')]) expect(text).not.toContain(encoded);
      }
    }
  });
});
