// The local data plane as an AssetStore: the contract every asset store passes, on real PostgreSQL.
import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { LocalKeyVault, MasterKey, vaultMigrations } from '@lethe/vault';
import { assetStoreContract, dataplaneMigrations, LocalDataPlane, platformKeyFrom } from '../index.js';

assetStoreContract('local', async () => {
  const db: TestDatabase = await createTestDatabase();
  await runMigrations(db.url, [...vaultMigrations, ...dataplaneMigrations]);
  const pool = new pg.Pool({ connectionString: db.url, max: 6 });
  pool.on('error', reportIdleError);
  const clock = new ManualClock(new Date('2026-03-02T09:00:00.000Z'));
  const masterKey = MasterKey.generate();
  const plane = (key: MasterKey) => new LocalDataPlane(pool, new LocalKeyVault(pool, key, clock), platformKeyFrom(key), clock);
  return {
    store: plane(masterKey),
    otherKeyStore: plane(MasterKey.generate()),
    clock,
    async stored(tenantId, kind, assetId) {
      const row = await pool.query<{ sealed_content: Buffer | null }>(
        'select sealed_content from dataplane_assets where tenant_id = $1 and kind = $2 and asset_id = $3',
        [tenantId, kind, assetId],
      );
      return row.rows[0]?.sealed_content ?? null;
    },
    async dispose() {
      await pool.end();
      await db.drop();
    },
  };
});
