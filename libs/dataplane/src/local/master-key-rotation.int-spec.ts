// rotateMasterKey on real PostgreSQL with the real local vault and data plane: what the old key sealed
// opens with the new key afterwards (key versions, platform assets, the tenant data keys they wrap),
// nothing is left that the old key opens, destroyed and purged rows stay as they were, and every
// refusal or failure leaves every sealed byte and the check value as they were.
import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, reportIdleError, rejection, type TestDatabase } from '@lethe/testing';
import {
  CurrentMasterKeyMismatchError,
  LocalKeyVault,
  MasterKey,
  MasterKeyMismatchError,
  MasterKeySupersededError,
  SealedRowUnreadableError,
  checkMasterKey,
  masterKeyCheckValue,
  vaultMigrations,
} from '@lethe/vault';
import { LocalDataPlane, SameMasterKeyError, dataplaneMigrations, platformKeyFrom, rotateMasterKey } from '../index.js';

const clock = new ManualClock(new Date('2026-03-02T09:00:00.000Z'));
const dbs: TestDatabase[] = [];
const pools: pg.Pool[] = [];

afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await Promise.all(dbs.map((d) => d.drop()));
});

const planeOf = (pool: pg.Pool, key: MasterKey) => new LocalDataPlane(pool, new LocalKeyVault(pool, key, clock), platformKeyFrom(key), clock);

/**
 * A database bound to `key` (check value stored, as the engine's boot does) with: tenant `t1` (two
 * versions, a protected database, a customer-key backup, a staging asset and a platform backup),
 * tenant `t2` shredded (versions destroyed, assets purged), tenant `t3` with a disabled version.
 */
async function fleet(key: MasterKey): Promise<{ pool: pg.Pool; versions: Record<string, string> }> {
  const db = await createTestDatabase();
  dbs.push(db);
  await runMigrations(db.url, [...vaultMigrations, ...dataplaneMigrations]);
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
  pools.push(pool);
  await checkMasterKey(pool, key, '/srv/lethe');
  const vault = new LocalKeyVault(pool, key, clock);
  const plane = new LocalDataPlane(pool, vault, platformKeyFrom(key), clock);
  const t1 = await vault.createKey('t1');
  const t1v2 = await vault.createVersion(t1.keyId);
  await plane.protectDatabase('t1', 'db-1', t1v2.versionId);
  await plane.recordBackup('t1', 'nightly-c', 'db-1', t1v2.versionId);
  await plane.addStagingAsset('t1', 'export-1');
  await plane.addPlatformBackup('t1', 'nightly-p', 'db-1');
  const t2 = await vault.createKey('t2');
  await plane.addStagingAsset('t2', 'export-2');
  await vault.destroyKey(t2.keyId);
  await plane.purgeAssets('t2');
  const t3 = await vault.createKey('t3');
  const t3v2 = await vault.createVersion(t3.keyId);
  await vault.disable(t3.versionId);
  return { pool, versions: { t1v1: t1.versionId, t1v2: t1v2.versionId, t2v1: t2.versionId, t3v1: t3.versionId, t3v2: t3v2.versionId } };
}

/** Every sealed byte and the check value, to prove that nothing changed. */
async function sealedState(pool: pg.Pool): Promise<string[]> {
  const res = await pool.query<{ row: string }>(
    `select 'v:' || version_id || ':' || state || ':' || coalesce(encode(wrapped_material, 'hex'), 'null') as row from vault_key_versions
     union all select 'a:' || tenant_id || ':' || kind || ':' || asset_id || ':' || coalesce(encode(sealed_content, 'hex'), 'null') from dataplane_assets
     union all select 'c:' || encode(check_value, 'hex') from vault_master_key_check
     union all select 'd:' || tenant_id || ':' || database_id || ':' || encode(wrapped_data_key, 'hex') || encode(sentinel, 'hex') from dataplane_databases
     order by 1`,
  );
  return res.rows.map((r) => r.row);
}

describe('given a fleet sealed under the current master key', () => {
  it('when rotated, then every live version and asset opens with the new key only, and destroyed and purged rows are left alone', async () => {
    const oldKey = MasterKey.generate();
    const newKey = MasterKey.generate();
    const { pool, versions } = await fleet(oldKey);
    const before = await sealedState(pool);
    const progress: string[] = [];
    let total = 0;

    const result = await rotateMasterKey(pool, oldKey, newKey, {
      onStart: (rows) => (total = rows),
      onProgress: (phase, rows) => progress.push(`${phase}:${rows}`),
    });

    // t1: 2 versions, t3: 2 (one disabled); t2's version is destroyed. Assets: t1's two; t2's is purged.
    expect(result).toEqual({ outcome: 'rotated', keyVersions: 4, assets: 2, previousCheckValue: true });
    expect(total).toBe(6);
    expect(progress).toEqual(['re-sealing:4', 're-sealing:6', 'verifying:4', 'verifying:6']);
    const after = await sealedState(pool);
    // Each live sealed row changed; destroyed, purged and tenant-key-sealed rows are byte for byte the same.
    const changed = after.filter((row) => !before.includes(row)).map((row) => (row.startsWith('c:') ? 'c' : row.split(':').slice(0, 2).join(':')));
    expect(changed.sort()).toEqual(['a:t1', 'a:t1', 'c', `v:${versions.t1v1}`, `v:${versions.t1v2}`, `v:${versions.t3v1}`, `v:${versions.t3v2}`].sort());
    const stored = await pool.query<{ check_value: Buffer }>('select check_value from vault_master_key_check');
    expect(stored.rows[0].check_value.equals(masterKeyCheckValue(newKey))).toBe(true);

    const plane = planeOf(pool, newKey);
    expect(await plane.restoreCheck('t1', 'nightly-c')).toEqual({ restorable: true, keyVersionId: versions.t1v2 });
    expect((await plane.readAsset('t1', 'staging', 'export-1')).toString()).toBe('lethe-staging:t1:export-1');
    expect(await plane.checkAsset('t1', 'platform-backup', 'nightly-p')).toMatchObject({ readable: true });
    const vault = new LocalKeyVault(pool, newKey, clock);
    const wrapped = await vault.wrap(versions.t3v2, Buffer.from('probe'));
    expect((await vault.unwrap(versions.t3v2, wrapped)).toString()).toBe('probe');
    // The disabled version kept its state (and material, now under the new key).
    expect((await vault.listVersions((await pool.query('select key_id from vault_keys where tenant_id = $1', ['t3'])).rows[0].key_id)).map((v) => v.state)).toEqual([
      'disabled',
      'enabled',
    ]);

    // The old key opens nothing any more, and may seal nothing more (the fence).
    const stale = planeOf(pool, oldKey);
    const staleVault = new LocalKeyVault(pool, oldKey, clock);
    await expect(staleVault.wrap(versions.t1v2, Buffer.from('x'))).rejects.toBeInstanceOf(MasterKeyMismatchError);
    expect(await stale.restoreCheck('t1', 'nightly-c')).toMatchObject({ restorable: false });
    expect(await stale.checkAsset('t1', 'staging', 'export-1')).toMatchObject({ readable: false });
    await expect(staleVault.createKey('t4')).rejects.toBeInstanceOf(MasterKeySupersededError);
    await expect(staleVault.createVersion((await pool.query('select key_id from vault_keys where tenant_id = $1', ['t1'])).rows[0].key_id)).rejects.toBeInstanceOf(
      MasterKeySupersededError,
    );
    await expect(stale.addStagingAsset('t1', 'late')).rejects.toBeInstanceOf(MasterKeySupersededError);
    expect((await pool.query(`select 1 from vault_keys where tenant_id = 't4'`)).rowCount).toBe(0);
    expect((await pool.query(`select 1 from dataplane_assets where asset_id = 'late'`)).rowCount).toBe(0);
    // With the new key, both work.
    await vault.createKey('t4');
    await plane.addStagingAsset('t1', 'late');

    // Run again with the same keys (the first run's output was lost, say): the database is already on the new key.
    const again = await sealedState(pool);
    expect(await rotateMasterKey(pool, oldKey, newKey)).toEqual({ outcome: 'already-rotated' });
    expect(await sealedState(pool)).toEqual(again);
  });

  it('when the key given as current is not the database’s, then it is refused and nothing changes', async () => {
    const key = MasterKey.generate();
    const { pool } = await fleet(key);
    const before = await sealedState(pool);
    const error = await rejection(rotateMasterKey(pool, MasterKey.generate(), MasterKey.generate()));
    expect(error).toBeInstanceOf(CurrentMasterKeyMismatchError);
    expect(error.message).toContain('LETHE_MASTER_KEY');
    expect(await sealedState(pool)).toEqual(before);
    expect(await rejection(rotateMasterKey(pool, key, key))).toBeInstanceOf(SameMasterKeyError);
  });

  it('when a row does not open with the current key, or the step before the commit fails, then nothing changes', async () => {
    const key = MasterKey.generate();
    const { pool, versions } = await fleet(key);
    // An asset sealed under another key (an altered row): found while re-sealing, after the vault's rows were.
    const foreign = platformKeyFrom(MasterKey.generate()).seal(Buffer.from('x'), 'whatever');
    await pool.query(`update dataplane_assets set sealed_content = $1 where tenant_id = 't1' and asset_id = 'export-1'`, [foreign]);
    const before = await sealedState(pool);
    const error = await rejection(rotateMasterKey(pool, key, MasterKey.generate()));
    expect(error).toBeInstanceOf(SealedRowUnreadableError);
    expect(error.message).toBe('the current master key does not open the content of staging asset export-1 of tenant t1 (altered, or sealed under another key)');
    expect(await sealedState(pool)).toEqual(before);

    await pool.query(`update dataplane_assets set sealed_content = null, purged_at = now() where tenant_id = 't1' and asset_id = 'export-1'`);
    const intact = await sealedState(pool);
    const failed = await rejection(
      rotateMasterKey(pool, key, MasterKey.generate(), {
        beforeCommit: async () => {
          throw new Error('disk full');
        },
      }),
    );
    expect(failed.message).toBe('disk full');
    expect(await sealedState(pool)).toEqual(intact);
    // And the old key still works for everything.
    expect(await planeOf(pool, key).restoreCheck('t1', 'nightly-c')).toEqual({ restorable: true, keyVersionId: versions.t1v2 });
  });

  it('when no check value was stored yet, then the current key must open every row, and the new key’s value is stored', async () => {
    const key = MasterKey.generate();
    const { pool } = await fleet(key);
    await pool.query('delete from vault_master_key_check');
    expect(await rejection(rotateMasterKey(pool, MasterKey.generate(), MasterKey.generate()))).toBeInstanceOf(SealedRowUnreadableError);
    expect((await pool.query('select 1 from vault_master_key_check')).rowCount).toBe(0);
    const newKey = MasterKey.generate();
    expect(await rotateMasterKey(pool, key, newKey)).toMatchObject({ outcome: 'rotated', previousCheckValue: false });
    expect(await checkMasterKey(pool, newKey, '/srv/lethe')).toBe('matched');
  });
});
