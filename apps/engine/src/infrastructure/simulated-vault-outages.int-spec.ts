import pg from 'pg';
import { performance } from 'node:perf_hooks';
import { ManualClock } from '@lethe/clock';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { LocalKeyVault, MasterKey, vaultMigrations } from '@lethe/vault';
import { SimulatedVaultUnavailableError, withSimulatedOutages } from './simulated-vault-outages.js';

const T0 = new Date('2027-01-01T00:00:00.000Z');
const HOUR = 3_600_000;

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  await runMigrations(db.url, [...vaultMigrations]);
  pool = new pg.Pool({ connectionString: db.url, max: 3 });
  pool.on('error', reportIdleError);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('LETHE_SIMULATED_VAULT_OUTAGES: the vault as the engine sees it during simulated outages', () => {
  it('fails every call inside a `fail` outage, by the engine clock, and works again after it', async () => {
    const clock = new ManualClock(T0);
    const vault = withSimulatedOutages(new LocalKeyVault(pool, MasterKey.generate(), clock), clock, [
      { from: new Date(T0.getTime() + HOUR), until: new Date(T0.getTime() + 2 * HOUR), mode: 'fail' },
    ]);
    const key = await vault.createKey('before');
    clock.advance(HOUR);
    for (const call of [
      () => vault.createKey('during'),
      () => vault.createVersion(key.keyId),
      () => vault.listVersions(key.keyId),
      () => vault.wrap(key.versionId, Buffer.alloc(32)),
      () => vault.unwrap(key.versionId, Buffer.alloc(32)),
      () => vault.disable(key.versionId),
      () => vault.destroy(key.versionId),
      () => vault.destroyKey(key.keyId),
    ]) {
      await expect(call()).rejects.toThrow(SimulatedVaultUnavailableError);
    }
    // Nothing reached the real vault.
    expect((await pool.query('select count(*)::int as n from vault_keys where tenant_id = $1', ['during'])).rows[0].n).toBe(0);
    clock.advance(HOUR);
    expect((await vault.listVersions(key.keyId)).map((v) => v.state)).toEqual(['enabled']);
    expect(vault.capabilities.kind).toBe('local');
  });

  it('makes every call inside a `timeout` outage wait, then fail as a timeout', async () => {
    const clock = new ManualClock(T0);
    const vault = withSimulatedOutages(new LocalKeyVault(pool, MasterKey.generate(), clock), clock, [{ from: T0, until: new Date(T0.getTime() + HOUR), mode: 'timeout' }], 200);
    const started = performance.now();
    const error = await vault.createKey('slow').catch((e: unknown) => e);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(error).toBeInstanceOf(SimulatedVaultUnavailableError);
    expect((error as SimulatedVaultUnavailableError).code).toBe('VAULT_TIMEOUT');
  });

  it('is the vault itself when no outage is set', () => {
    const clock = new ManualClock(T0);
    const local = new LocalKeyVault(pool, MasterKey.generate(), clock);
    expect(withSimulatedOutages(local, clock, [])).toBe(local);
  });
});
