import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { ManualClock } from '@lethe/clock';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, type TestDatabase, reportIdleError, watchStatements } from '@lethe/testing';
import {
  KeyTombstonedError,
  KeyVersionDestroyedError,
  KeyVersionDisabledError,
  LocalKeyVault,
  MasterKey,
  MasterKeyMismatchError,
  UnwrapFailedError,
  keyVaultContract,
  vaultMigrations,
} from '../index.js';
import { MATERIAL_PURPOSE, materialContext } from './local-key-vault.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');

let db: TestDatabase;
let pool: pg.Pool;
const masterKey = MasterKey.generate();

beforeAll(async () => {
  db = await createTestDatabase();
  expect(await runMigrations(db.url, [...vaultMigrations])).toEqual(['CreateVaultTables1764400000020', 'CreateMasterKeyCheck1764400000021', 'VersionRequestIds1764400000070', 'LocalVaultDeletionWindows1764400000170']);
  pool = new pg.Pool({ connectionString: db.url, max: 6 });
  pool.on('error', reportIdleError);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

keyVaultContract('local', async () => ({
  vault: new LocalKeyVault(pool, masterKey, new ManualClock(T0)),
  dispose: async () => undefined,
}));

// The same vault standing for a soft-deleting one (Azure Key Vault with purge protection): the contract
// holds with the purge 7 days after a version becomes unusable.
keyVaultContract('local, purging 7 days after destroy', async () => ({
  vault: new LocalKeyVault(pool, masterKey, new ManualClock(T0), { purgeAfterDays: 7 }),
  dispose: async () => undefined,
}));

describe('LocalKeyVault', () => {
  const clock = new ManualClock(T0);
  let vault: LocalKeyVault;
  let seq = 0;
  const tenant = () => `local-tenant-${++seq}`;

  beforeAll(() => {
    vault = new LocalKeyVault(pool, masterKey, clock);
  });

  it('lists the keys asked for at once in one statement (a fleet\'s detections fire side by side)', async () => {
    const watched = new pg.Pool({ connectionString: db.url, max: 2 });
    watched.on('error', reportIdleError);
    try {
      const listing = new LocalKeyVault(watched, masterKey, clock);
      const keys = await Promise.all(Array.from({ length: 8 }, () => listing.createKey(tenant())));
      const statements = watchStatements(watched);
      const listed = await Promise.all(keys.map((k) => listing.listVersions(k.keyId)));
      expect(listed.map((versions) => versions.map((v) => v.versionId))).toEqual(keys.map((k) => [k.versionId]));
      expect(statements.count(/from unnest\(\$1::text\[\]\) as q\(id\)/)).toBe(1);
    } finally {
      await watched.end();
    }
  });

  it('reads the versions of wraps and unwraps asked for at once in one statement; a destroyed one among them fails alone, at once', async () => {
    const watched = new pg.Pool({ connectionString: db.url, max: 2 });
    watched.on('error', reportIdleError);
    try {
      const local = new LocalKeyVault(watched, masterKey, clock);
      const keys = await Promise.all(Array.from({ length: 4 }, () => local.createKey(tenant())));
      const secret = randomBytes(32);
      const wrapped = await Promise.all(keys.map((k) => local.wrap(k.versionId, secret)));
      await local.destroy(keys[3].versionId);
      const statements = watchStatements(watched);
      const results = await Promise.allSettled([...keys.map((k, i) => local.unwrap(k.versionId, wrapped[i])), local.wrap(keys[0].versionId, secret)]);
      expect(results.slice(0, 3).map((r) => r.status === 'fulfilled' && r.value.equals(secret))).toEqual([true, true, true]);
      expect(results[3]).toMatchObject({ status: 'rejected', reason: expect.any(KeyVersionDestroyedError) });
      expect(results[4].status).toBe('fulfilled');
      expect(statements.count(/from vault_key_versions where version_id = any/)).toBe(1);
    } finally {
      await watched.end();
    }
  });

  /** The version's raw material, read the way only the adapter (holding the master key) can. */
  async function materialOf(versionId: string): Promise<Buffer> {
    const row = await pool.query<{ wrapped_material: Buffer }>('select wrapped_material from vault_key_versions where version_id = $1', [versionId]);
    return masterKey.derive(MATERIAL_PURPOSE).open(row.rows[0].wrapped_material, materialContext(versionId));
  }

  it('declares local capabilities and names ids vk-/vkv-<uuid>', async () => {
    expect(vault.capabilities).toEqual({
      kind: 'local',
      softDeleteOnly: false,
      minPurgeDelayDays: 0,
      deletionWindow: { minDaysToUnusable: 0, minDaysToPurged: 0, settings: ['LETHE_VAULT'] },
    });
    const key = await vault.createKey(tenant());
    expect(key.keyId).toMatch(/^vk-[0-9a-f-]{36}$/);
    expect(key.versionId).toMatch(/^vkv-[0-9a-f-]{36}$/);
  });

  it('stores 32-byte material only sealed by the master key, and takes its instants from the clock', async () => {
    clock.set(new Date('2026-03-03T10:00:00.000Z'));
    const key = await vault.createKey(tenant());
    expect(key.createdAt).toEqual(clock.now());
    const material = await materialOf(key.versionId);
    expect(material).toHaveLength(32);
    const row = await pool.query<{ wrapped_material: Buffer; created_at: Date }>(
      'select wrapped_material, created_at from vault_key_versions where version_id = $1',
      [key.versionId],
    );
    expect(row.rows[0].wrapped_material.includes(material)).toBe(false);
    expect(row.rows[0].created_at).toEqual(clock.now());
    // No column anywhere holds the master key.
    const dump = await pool.query<{ t: string }>(`select (select string_agg(encode(wrapped_material, 'hex'), '') from vault_key_versions) as t`);
    expect(dump.rows[0].t).not.toContain(masterKey.exportBytes().toString('hex'));

    clock.advance(60_000);
    const destroyed = await vault.destroy(key.versionId);
    expect(destroyed).toEqual({ outcome: 'destroyed', unusableAt: clock.now(), purgedAt: clock.now() });
    const after = await pool.query('select state, wrapped_material, unusable_at, purged_at from vault_key_versions where version_id = $1', [key.versionId]);
    expect(after.rows[0]).toEqual({ state: 'destroyed', wrapped_material: null, unusable_at: clock.now(), purged_at: clock.now() });
  });

  it('a vault with another master key cannot use the versions', async () => {
    const key = await vault.createKey(tenant());
    const wrapped = await vault.wrap(key.versionId, randomBytes(32));
    const impostor = new LocalKeyVault(pool, MasterKey.generate(), clock);
    await expect(impostor.unwrap(key.versionId, wrapped)).rejects.toBeInstanceOf(MasterKeyMismatchError);
    await expect(impostor.wrap(key.versionId, randomBytes(32))).rejects.toBeInstanceOf(MasterKeyMismatchError);
  });

  it('the database itself refuses to revive a destroyed version or forget a tombstone', async () => {
    const key = await vault.createKey(tenant());
    await vault.destroyKey(key.keyId);
    await expect(pool.query(`update vault_key_versions set state = 'enabled', wrapped_material = '\\x00' where key_id = $1`, [key.keyId])).rejects.toThrow(/destroyed/);
    await expect(pool.query('update vault_keys set tombstoned_at = null where key_id = $1', [key.keyId])).rejects.toThrow(/tombstoned/);
    await expect(pool.query('delete from vault_key_versions where key_id = $1', [key.keyId])).rejects.toThrow(/never deleted/);
    await expect(pool.query('delete from vault_keys where key_id = $1', [key.keyId])).rejects.toThrow(/never deleted/);
    await expect(
      pool.query(`insert into vault_key_versions (version_id, key_id, state, wrapped_material, created_at) values ('vkv-x', $1, 'enabled', '\\x00', now())`, [key.keyId]),
    ).rejects.toThrow(/tombstoned/);
  });

  it('errors never carry the material, the master key, the plaintext or the wrapped blob in any encoding', async () => {
    const key = await vault.createKey(tenant());
    const v2 = await vault.createVersion(key.keyId);
    const material = await materialOf(key.versionId);
    const plaintext = randomBytes(32);
    const wrapped = await vault.wrap(key.versionId, plaintext);
    const errors: Error[] = [];
    const collect = (p: Promise<unknown>) =>
      p.then(
        () => {
          throw new Error('expected a rejection');
        },
        (e: Error) => errors.push(e),
      );
    await collect(vault.unwrap(v2.versionId, wrapped));
    await collect(new LocalKeyVault(pool, MasterKey.generate(), clock).unwrap(key.versionId, wrapped));
    await vault.disable(key.versionId);
    await collect(vault.unwrap(key.versionId, wrapped));
    await vault.destroyKey(key.keyId);
    await collect(vault.unwrap(key.versionId, wrapped));
    await collect(vault.wrap(key.versionId, plaintext));
    await collect(vault.createKey((await pool.query('select tenant_id from vault_keys where key_id = $1', [key.keyId])).rows[0].tenant_id));
    expect(errors.map((e) => e.constructor)).toEqual([
      UnwrapFailedError,
      MasterKeyMismatchError,
      KeyVersionDisabledError,
      KeyVersionDestroyedError,
      KeyVersionDestroyedError,
      KeyTombstonedError,
    ]);
    const secrets = [material, masterKey.exportBytes(), plaintext, wrapped];
    const encodings = secrets.flatMap((s) => [s.toString('hex'), s.toString('base64'), s.toString('base64url'), s.toString('latin1')]);
    for (const error of errors) {
      const text = `${error.message}\n${error.stack}\n${JSON.stringify(error)}`;
      for (const encoded of encodings) expect(text).not.toContain(encoded.slice(0, 16));
    }
  });

  it('concurrent createKey calls for a new tenant from separate pools agree', async () => {
    const t = tenant();
    const pools = [new pg.Pool({ connectionString: db.url, max: 2 }), new pg.Pool({ connectionString: db.url, max: 2 })];
    try {
      const results = await Promise.all(pools.flatMap((p) => [0, 1, 2].map(() => new LocalKeyVault(p, masterKey, clock).createKey(t))));
      expect(new Set(results.map((r) => r.keyId)).size).toBe(1);
      expect(new Set(results.map((r) => r.versionId)).size).toBe(1);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });
});

describe('LocalKeyVault with deletion windows (tests and simulations)', () => {
  const DAY = 86_400_000;
  let seq = 0;
  const tenant = () => `window-tenant-${++seq}`;

  it('declares its windows and names the settings they follow from', () => {
    const vault = new LocalKeyVault(pool, masterKey, new ManualClock(T0), { unusableAfterDays: 2, purgeAfterDays: 7 });
    expect(vault.capabilities).toEqual({
      kind: 'local',
      softDeleteOnly: true,
      minPurgeDelayDays: 7,
      deletionWindow: { minDaysToUnusable: 2, minDaysToPurged: 9, settings: ['LETHE_LOCAL_VAULT_UNUSABLE_AFTER_DAYS', 'LETHE_LOCAL_VAULT_PURGE_AFTER_DAYS'] },
    });
    expect(() => new LocalKeyVault(pool, masterKey, new ManualClock(T0), { purgeAfterDays: -1 })).toThrow(/purgeAfterDays/);
  });

  it('a destroyed version stays usable for the unusable window, keeps its sealed material until the purge falls due, and is purged by the next call after', async () => {
    const clock = new ManualClock(T0);
    const vault = new LocalKeyVault(pool, masterKey, clock, { unusableAfterDays: 2, purgeAfterDays: 7 });
    const key = await vault.createKey(tenant());
    const dataKey = randomBytes(32);
    const wrapped = await vault.wrap(key.versionId, dataKey);

    const [destroyed] = await vault.destroyKey(key.keyId);
    const unusableAt = new Date(T0.getTime() + 2 * DAY);
    const purgeAt = new Date(T0.getTime() + 9 * DAY);
    expect(destroyed).toEqual({ versionId: key.versionId, outcome: 'destroyed', unusableAt, purgedAt: null, purgeScheduledAt: purgeAt });
    // Still usable inside the window (the vault has not made it unusable yet), never after.
    expect((await vault.unwrap(key.versionId, wrapped)).equals(dataKey)).toBe(true);
    clock.set(unusableAt);
    await expect(vault.unwrap(key.versionId, wrapped)).rejects.toBeInstanceOf(KeyVersionDestroyedError);
    expect(await vault.listVersions(key.keyId)).toEqual([{ versionId: key.versionId, createdAt: T0, state: 'destroyed', unusableAt, purgedAt: null }]);
    const kept = await pool.query('select wrapped_material is not null as kept from vault_key_versions where version_id = $1', [key.versionId]);
    expect(kept.rows[0].kept).toBe(true);

    // The purge falls due; the vault's purger erases the material the next time the key is read.
    clock.set(new Date(purgeAt.getTime() + 3_600_000));
    const [listed] = await vault.listVersions(key.keyId);
    expect(listed.purgedAt).toEqual(clock.now());
    const after = await pool.query('select wrapped_material, purged_at from vault_key_versions where version_id = $1', [key.versionId]);
    expect(after.rows[0]).toEqual({ wrapped_material: null, purged_at: clock.now() });
    expect(await vault.destroy(key.versionId)).toEqual({ outcome: 'already-destroyed', unusableAt, purgedAt: clock.now() });
    // Purged is for ever: the database refuses to put material back.
    await expect(pool.query(`update vault_key_versions set wrapped_material = '\\x00', purged_at = null where version_id = $1`, [key.versionId])).rejects.toThrow(/destroyed/);
  });

  it('a version disabled before its destroy stays unusable inside the unusable window', async () => {
    const clock = new ManualClock(T0);
    const vault = new LocalKeyVault(pool, masterKey, clock, { unusableAfterDays: 1 });
    const key = await vault.createKey(tenant());
    const wrapped = await vault.wrap(key.versionId, randomBytes(32));
    await vault.disable(key.versionId);
    expect((await vault.destroy(key.versionId)).outcome).toBe('destroyed');
    await expect(vault.unwrap(key.versionId, wrapped)).rejects.toBeInstanceOf(KeyVersionDisabledError);
  });
});
