import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, type TestDatabase, reportIdleError, rejection } from '@lethe/testing';
import { LocalKeyVault, MasterKey, MasterKeyCheckError, checkMasterKey, masterKeyCheckValue, vaultMigrations } from '../index.js';

const clock = new ManualClock(new Date('2026-03-02T09:00:00.000Z'));
const dbs: TestDatabase[] = [];
const pools: pg.Pool[] = [];

async function freshVault(): Promise<pg.Pool> {
  const db = await createTestDatabase();
  dbs.push(db);
  await runMigrations(db.url, [...vaultMigrations]);
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
  pools.push(pool);
  return pool;
}

afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await Promise.all(dbs.map((d) => d.drop()));
});

describe('masterKeyCheckValue', () => {
  it('is 32 bytes, the same for the same key, different for another key, and not the key or a sub-key of it', () => {
    const key = MasterKey.generate();
    const kcv = masterKeyCheckValue(key);
    expect(kcv).toHaveLength(32);
    expect(masterKeyCheckValue(MasterKey.fromBytes(key.exportBytes())).equals(kcv)).toBe(true);
    expect(masterKeyCheckValue(MasterKey.generate()).equals(kcv)).toBe(false);
    expect(kcv.equals(key.exportBytes())).toBe(false);
    expect(kcv.equals(key.derive('lethe/vault/local/key-check/v1').exportBytes())).toBe(false);
  });
});

describe('checkMasterKey', () => {
  it('stores the check value on first boot and then accepts only the same key, naming LETHE_MASTER_KEY and the data folder', async () => {
    const pool = await freshVault();
    const key = MasterKey.fromBytes(MasterKey.generate().exportBytes(), 'file');
    expect(await checkMasterKey(pool, key, '/srv/lethe')).toBe('stored');
    const row = await pool.query<{ scheme: string; check_value: Buffer }>('select scheme, check_value from vault_master_key_check');
    expect(row.rows).toHaveLength(1);
    expect(row.rows[0].check_value.equals(masterKeyCheckValue(key))).toBe(true);
    expect(row.rows[0].check_value.equals(key.exportBytes())).toBe(false);
    expect(await checkMasterKey(pool, MasterKey.fromBytes(key.exportBytes(), 'env'), '/elsewhere')).toBe('matched');

    const other = MasterKey.fromBytes(MasterKey.generate().exportBytes(), 'generated');
    const error = await rejection(checkMasterKey(pool, other, '/srv/fresh'));
    expect(error).toBeInstanceOf(MasterKeyCheckError);
    expect(error.message).toContain('LETHE_MASTER_KEY');
    expect(error.message).toContain('/srv/fresh');
    expect(error.message).toContain('no master key was found');
    for (const secret of [other.exportBytes(), key.exportBytes(), masterKeyCheckValue(key), masterKeyCheckValue(other)]) {
      expect(error.message).not.toContain(secret.toString('base64'));
      expect(error.message).not.toContain(secret.toString('hex'));
    }
    expect((await rejection(checkMasterKey(pool, MasterKey.fromBytes(other.exportBytes(), 'env'), '/d'))).message).toContain('LETHE_MASTER_KEY is set to another master key');
  });

  it('on a vault from before the check: adopts the key that opens the newest sealed version, refuses another', async () => {
    const pool = await freshVault();
    const key = MasterKey.generate();
    const vault = new LocalKeyVault(pool, key, clock);
    await vault.createKey('t1');
    // The database as it was before this check existed: versions, no check value.
    expect((await pool.query('select 1 from vault_master_key_check')).rowCount).toBe(0);
    const wrong = await rejection(checkMasterKey(pool, MasterKey.generate(), '/data'));
    expect(wrong).toBeInstanceOf(MasterKeyCheckError);
    expect((await pool.query('select 1 from vault_master_key_check')).rowCount).toBe(0);
    expect(await checkMasterKey(pool, key, '/data')).toBe('adopted');
    expect(await checkMasterKey(pool, key, '/data')).toBe('matched');
  });

  it('stores the check value when every version is destroyed (nothing sealed is left to check against)', async () => {
    const pool = await freshVault();
    const vault = new LocalKeyVault(pool, MasterKey.generate(), clock);
    const { keyId } = await vault.createKey('gone');
    await vault.destroyKey(keyId);
    const next = MasterKey.generate();
    expect(await checkMasterKey(pool, next, '/data')).toBe('stored');
    await expect(checkMasterKey(pool, MasterKey.generate(), '/data')).rejects.toBeInstanceOf(MasterKeyCheckError);
  });

  it('lets exactly one of several first boots with different keys win', async () => {
    const pool = await freshVault();
    const keys = Array.from({ length: 6 }, () => MasterKey.generate());
    const results = await Promise.allSettled(keys.map((k) => checkMasterKey(pool, k, '/data')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(MasterKeyCheckError);
  });
});
