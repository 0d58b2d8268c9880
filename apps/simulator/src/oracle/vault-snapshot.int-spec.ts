// The oracle's reads of the vault: the first takes every key, each later one only the keys the change
// feed names, and a change committed while a read runs is not lost (the next read finds it).
import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { runMigrations } from '@lethe/postgres';
import { dataplaneMigrations } from '@lethe/dataplane';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { LocalKeyVault, MasterKey, vaultMigrations } from '@lethe/vault';
import { installVaultChangeFeed } from './vault-change-feed.js';
import { VaultReader } from './vault-snapshot.js';

let db: TestDatabase;
let pool: pg.Pool;
const clock = new ManualClock(new Date('2027-01-04T00:00:00Z'));
let vault: LocalKeyVault;

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...vaultMigrations, ...dataplaneMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', reportIdleError);
  await installVaultChangeFeed(pool);
  vault = new LocalKeyVault(pool, MasterKey.generate(), clock);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const states = (snapshot: { keys: ReadonlyMap<string, { versions: readonly { state: string }[] }> }, tenantId: string) =>
  snapshot.keys.get(tenantId)?.versions.map((v) => v.state);

it('given keys made and changed between reads, when read again, then only the changed tenants are named and every key is as it stands', async () => {
  const acme = await vault.createKey('acme');
  await vault.createKey('globex');
  const reader = new VaultReader(pool);

  const first = await reader.read();
  expect([...first.changed!].sort()).toEqual(['acme', 'globex']);
  expect(states(first, 'acme')).toEqual(['enabled']);

  const quiet = await reader.read();
  expect([...quiet.changed!]).toEqual([]);
  expect(states(quiet, 'globex')).toEqual(['enabled']);

  await vault.createVersion(acme.keyId);
  await vault.destroy(acme.versionId);
  const changed = await reader.read();
  expect([...changed.changed!]).toEqual(['acme']);
  expect(states(changed, 'acme')).toEqual(['destroyed', 'enabled']);
  expect(states(changed, 'globex')).toEqual(['enabled']);
});

it('given a change committed while a read runs, when read again, then that read names it', async () => {
  const initech = await vault.createKey('initech');
  const reader = new VaultReader(pool);
  await reader.read();
  // A write in flight when the read takes its snapshot: its feed row is not visible to the read yet.
  const writer = await pool.connect();
  try {
    await writer.query('begin');
    await writer.query('update vault_key_versions set state = $2, disabled_at = $3 where version_id = $1', [initech.versionId, 'disabled', clock.now()]);
    const during = await reader.read();
    expect([...during.changed!]).toEqual([]);
    expect(states(during, 'initech')).toEqual(['enabled']);
    await writer.query('commit');
  } finally {
    writer.release();
  }
  const after = await reader.read();
  expect([...after.changed!]).toEqual(['initech']);
  expect(states(after, 'initech')).toEqual(['disabled']);
});
