// The `azure-keyvault` adapter, on real PostgreSQL (its own records) and, for the vault, either:
// - a fake of the Azure SDK client (test-support/fake-azure-key-client.ts): always, to prove the
//   adapter's logic, its Key Vault semantics and its error mapping; or
// - a real Azure Key Vault: the KeyVault contract, only when AZURE_KEYVAULT_URL and credentials for
//   DefaultAzureCredential (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET, ...) are set;
//   skipped with a message otherwise.
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { ManualClock, SystemClock } from '@lethe/clock';
import { runMigrations } from '@lethe/postgres';
import { createTestDatabase, reportIdleError, type TestDatabase } from '@lethe/testing';
import { azureErrors, FakeAzureKeyClient } from '../../test-support/fake-azure-key-client.js';
import {
  KeyTombstonedError,
  KeyVaultAccessDeniedError,
  KeyVersionDestroyedError,
  KeyVersionDisabledError,
  UnknownKeyError,
  UnwrapFailedError,
} from '../errors.js';
import { keyVaultContract } from '../contract/key-vault.contract.js';
import { isKeyVaultUnavailable } from '../vault-unavailable.js';
import { createAzureKeyClient } from './azure-key-client.js';
import { AzureKeyVaultSettingMismatchError } from './azure-errors.js';
import { AzureKeyVault, REQUEST_TAG, type AzureKeyVaultOptions } from './azure-key-vault.js';
import { AZURE_VERSION_ID } from './key-names.js';
import { azureKeyVaultMigrations } from './migrations.js';

const T0 = new Date('2026-03-02T09:00:00.000Z');
const DAY = 86_400_000;

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  expect(await runMigrations(db.url, [...azureKeyVaultMigrations])).toEqual(['CreateAzureKeyVaultTables1764400000171']);
  pool = new pg.Pool({ connectionString: db.url, max: 8 });
  pool.on('error', reportIdleError);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const settings = (extra: Partial<AzureKeyVaultOptions> = {}): AzureKeyVaultOptions => ({
  vaultUrl: 'https://fake-vault.vault.azure.net',
  softDeleteRetentionDays: 90,
  purgeProtection: true,
  keySize: 2048,
  ...extra,
});

/** A fresh fake vault and the adapter over it, with its own key prefix (the database is shared). */
function subject(extra: Partial<AzureKeyVaultOptions> = {}, clock = new ManualClock(T0)) {
  const options = settings({ keyPrefix: `t${randomBytes(3).toString('hex')}-`, ...extra });
  const fake = new FakeAzureKeyClient(clock, { softDeleteRetentionDays: options.softDeleteRetentionDays, purgeProtection: options.purgeProtection });
  return { fake, clock, options, vault: new AzureKeyVault(fake, pool, clock, options) };
}

keyVaultContract('azure-keyvault over a fake of the Azure SDK client', async () => ({
  vault: subject().vault,
  ids: AZURE_VERSION_ID,
  dispose: async () => undefined,
}));

// ---- against a real vault (only when one is configured) ------------------------------------------

const VAULT_URL = process.env.AZURE_KEYVAULT_URL;
if (!VAULT_URL) {
  console.warn(
    'libs/vault/src/azure/azure-key-vault.int-spec.ts: the KeyVault contract against a real Azure Key Vault is SKIPPED: set AZURE_KEYVAULT_URL ' +
      '(and AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET for an identity with the Key Vault Crypto Officer role; ' +
      'AZURE_KEYVAULT_SOFT_DELETE_RETENTION_DAYS and AZURE_KEYVAULT_PURGE_PROTECTION=false if the vault differs from 90 days with purge protection)',
  );
}
(VAULT_URL ? describe : describe.skip)('against a real Azure Key Vault (AZURE_KEYVAULT_URL)', () => {
  keyVaultContract('azure-keyvault', async () => {
    const prefix = `lethe-contract-${randomBytes(3).toString('hex')}-`;
    const vault = new AzureKeyVault(await createAzureKeyClient(VAULT_URL!), pool, new SystemClock(), {
      vaultUrl: VAULT_URL!,
      softDeleteRetentionDays: Number(process.env.AZURE_KEYVAULT_SOFT_DELETE_RETENTION_DAYS ?? 90),
      purgeProtection: process.env.AZURE_KEYVAULT_PURGE_PROTECTION !== 'false',
      keyPrefix: prefix,
    });
    return {
      vault,
      ids: AZURE_VERSION_ID,
      // Leaves nothing usable behind: every key the run made is deleted (and purged where allowed).
      dispose: async () => {
        const live = await pool.query<{ key_name: string }>('select key_name from vault_azure_keys where key_name like $1 and deleted_at is null', [`${prefix}%`]);
        for (const { key_name } of live.rows) await vault.destroyKey(key_name);
      },
    };
  });
});

// ---- what is particular to Azure Key Vault --------------------------------------------------------

describe('AzureKeyVault (over the fake SDK client)', () => {
  const tenant = () => `akv-${randomUUID()}`;

  it('declares its deletion windows from the vault settings', () => {
    expect(subject().vault.capabilities).toEqual({
      kind: 'azure-keyvault',
      softDeleteOnly: true,
      minPurgeDelayDays: 90,
      deletionWindow: { minDaysToUnusable: 0, minDaysToPurged: 90, settings: ['LETHE_AZURE_KEYVAULT_SOFT_DELETE_RETENTION_DAYS', 'LETHE_AZURE_KEYVAULT_PURGE_PROTECTION'] },
    });
    const unprotected = subject({ softDeleteRetentionDays: 7, purgeProtection: false }).vault.capabilities;
    expect(unprotected).toMatchObject({ softDeleteOnly: false, minPurgeDelayDays: 0, deletionWindow: { minDaysToUnusable: 0, minDaysToPurged: 0 } });
    for (const days of [6, 91, 7.5]) expect(() => subject({ softDeleteRetentionDays: days })).toThrow(/softDeleteRetentionDays/);
    expect(() => subject({ keyPrefix: 'Upper-' })).toThrow(/keyPrefix/);
  });

  it('keeps a tenant key under a readable name, versions by rotation, and wraps with RSA-OAEP-256 by version', async () => {
    const { vault, fake, options } = subject();
    const t = tenant();
    const key = await vault.createKey(t);
    expect(key.keyId).toBe(`${options.keyPrefix}t-${t}`);
    expect(key.versionId).toMatch(new RegExp(`^${key.keyId}/[0-9a-f]{32}$`));
    expect(fake.holds(key.keyId)).toBe('live');
    const v2 = await vault.createVersion(key.keyId);
    const dataKey = randomBytes(32);
    const wrapped = await vault.wrap(v2.versionId, dataKey);
    expect(wrapped[0]).toBe(0xa1);
    expect(wrapped.length).toBe(1 + 256);
    expect((await vault.unwrap(v2.versionId, wrapped)).equals(dataKey)).toBe(true);
    expect(fake.calls.filter((c) => c === 'createRsaKey')).toHaveLength(2);
  });

  it('destroyKey under purge protection: unusable at once, purge when the retention ends, reported once the vault purged', async () => {
    const { vault, fake, clock } = subject({ softDeleteRetentionDays: 7 });
    const t = tenant();
    const key = await vault.createKey(t);
    const wrapped = await vault.wrap(key.versionId, randomBytes(32));
    clock.advance(3_600_000);
    const [destroyed] = await vault.destroyKey(key.keyId);
    const purgeAt = new Date(clock.now().getTime() + 7 * DAY);
    expect(destroyed).toEqual({ versionId: key.versionId, outcome: 'destroyed', unusableAt: clock.now(), purgedAt: null, purgeScheduledAt: purgeAt });
    expect(fake.holds(key.keyId)).toBe('deleted');
    expect(fake.calls).not.toContain('purgeDeletedKey');
    await expect(vault.unwrap(key.versionId, wrapped)).rejects.toBeInstanceOf(KeyVersionDestroyedError);
    expect((await vault.listVersions(key.keyId))[0]).toMatchObject({ state: 'destroyed', purgedAt: null });

    // Key Vault purges at the scheduled date; Lethe records it when it next looks.
    clock.set(new Date(purgeAt.getTime() + 60_000));
    const [purged] = await vault.listVersions(key.keyId);
    expect(purged).toMatchObject({ state: 'destroyed', unusableAt: destroyed.unusableAt, purgedAt: clock.now() });
    expect(fake.holds(key.keyId)).toBe('none');
    expect(await vault.destroyKey(key.keyId)).toEqual([{ versionId: key.versionId, outcome: 'already-destroyed', unusableAt: destroyed.unusableAt, purgedAt: clock.now() }]);
    // Key Vault frees a purged name; Lethe's tombstone does not.
    await expect(vault.createKey(t)).rejects.toBeInstanceOf(KeyTombstonedError);
    expect(fake.holds(key.keyId)).toBe('none');
  });

  it('destroyKey without purge protection purges at once', async () => {
    const { vault, fake, clock } = subject({ softDeleteRetentionDays: 7, purgeProtection: false });
    const key = await vault.createKey(tenant());
    const [destroyed] = await vault.destroyKey(key.keyId);
    expect(destroyed).toEqual({ versionId: key.versionId, outcome: 'destroyed', unusableAt: clock.now(), purgedAt: clock.now() });
    expect(fake.holds(key.keyId)).toBe('none');
  });

  it('a purge the vault refuses is left to its own schedule, never fails the destroy', async () => {
    const { vault, fake, clock } = subject({ softDeleteRetentionDays: 7, purgeProtection: false });
    const key = await vault.createKey(tenant());
    fake.failNext('purgeDeletedKey', azureErrors.forbidden('the identity lacks the purge permission'));
    const [destroyed] = await vault.destroyKey(key.keyId);
    expect(destroyed).toMatchObject({ outcome: 'destroyed', purgedAt: null, purgeScheduledAt: new Date(clock.now().getTime() + 7 * DAY) });
    // A retry purges.
    expect((await vault.destroyKey(key.keyId))[0]).toMatchObject({ outcome: 'already-destroyed', purgedAt: clock.now() });
  });

  it('destroy(version) disables it in the vault (Key Vault cannot delete one version) and records it destroyed for good', async () => {
    const { vault, fake } = subject();
    const key = await vault.createKey(tenant());
    const v2 = await vault.createVersion(key.keyId);
    const wrapped = await vault.wrap(key.versionId, randomBytes(32));
    const result = await vault.destroy(key.versionId);
    expect(result).toMatchObject({ outcome: 'destroyed', purgedAt: null });
    await expect(vault.unwrap(key.versionId, wrapped)).rejects.toBeInstanceOf(KeyVersionDestroyedError);
    await expect(vault.wrap(key.versionId, randomBytes(32))).rejects.toBeInstanceOf(KeyVersionDestroyedError);
    expect((await vault.listVersions(key.keyId)).map((v) => v.state)).toEqual(['destroyed', 'enabled']);
    expect(fake.holds(key.keyId)).toBe('live');
    // Its purge comes with the key's, at the shred.
    const all = await vault.destroyKey(key.keyId);
    expect(all.map((d) => [d.versionId, d.outcome, d.unusableAt])).toEqual([
      [key.versionId, 'already-destroyed', result.unusableAt],
      [v2.versionId, 'destroyed', expect.any(Date)],
    ]);
  });

  it('lists versions made outside Lethe (detection) in order, and createKey then answers the newest', async () => {
    const { vault, fake, clock } = subject();
    const t = tenant();
    const key = await vault.createKey(t);
    clock.advance(2000);
    const outside = await fake.createRsaKey(key.keyId, { keySize: 2048 });
    const versions = await vault.listVersions(key.keyId);
    expect(versions.map((v) => v.versionId)).toEqual([key.versionId, `${key.keyId}/${outside.properties.version}`]);
    expect(versions[1]).toMatchObject({ state: 'enabled', createdAt: outside.properties.createdOn });
    expect((await vault.createKey(t)).versionId).toBe(versions[1].versionId);
  });

  it('adopts a version the vault made for a request whose record a crash lost, instead of making another', async () => {
    const { vault, fake } = subject();
    const key = await vault.createKey(tenant());
    const lost = await fake.createRsaKey(key.keyId, { keySize: 2048, tags: { [REQUEST_TAG]: 'rotate-7' } });
    const creates = fake.calls.filter((c) => c === 'createRsaKey').length;
    const adopted = await vault.createVersion(key.keyId, 'rotate-7');
    expect(adopted.versionId).toBe(`${key.keyId}/${lost.properties.version}`);
    expect(fake.calls.filter((c) => c === 'createRsaKey')).toHaveLength(creates);
    expect(await vault.createVersion(key.keyId, 'rotate-7')).toEqual(adopted);
  });

  it('a key deleted outside Lethe cannot be created again (409 Conflict → tombstoned)', async () => {
    const { vault, fake, options } = subject();
    const t = tenant();
    const name = `${options.keyPrefix}t-${t}`;
    await fake.createRsaKey(name);
    await (await fake.beginDeleteKey(name)).pollUntilDone();
    const error = await vault.createKey(t).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyTombstonedError);
    expect((error as KeyTombstonedError).tenantId).toBe(t);
  });

  it('throttling, outages and lost connections are vault-unavailable; a refusal of our identity is access denied', async () => {
    const { vault, fake } = subject();
    const key = await vault.createKey(tenant());
    const dataKey = randomBytes(32);
    const wrapped = await vault.wrap(key.versionId, dataKey);
    for (const fault of [azureErrors.throttled(), azureErrors.unavailable(), azureErrors.connection()]) {
      fake.failNext('unwrapKey', fault);
      const error = await vault.unwrap(key.versionId, wrapped).catch((e: unknown) => e);
      expect(isKeyVaultUnavailable(error)).toBe(true);
      fake.failNext('createRsaKey', fault);
      expect(isKeyVaultUnavailable(await vault.createVersion(key.keyId).catch((e: unknown) => e))).toBe(true);
    }
    fake.failNext('wrapKey', azureErrors.forbidden('Caller is not authorized to perform action on resource'));
    const denied = await vault.wrap(key.versionId, dataKey).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(KeyVaultAccessDeniedError);
    expect(isKeyVaultUnavailable(denied)).toBe(false);
    expect((denied as Error).message).toMatch(/Key Vault Crypto Officer/);
    fake.failNext('listPropertiesOfKeyVersions', azureErrors.forbidden('Caller is not authorized'));
    expect(await vault.listVersions(key.keyId).catch((e: unknown) => e)).toBeInstanceOf(KeyVaultAccessDeniedError);
    // Nothing was left half-done: the key still works.
    expect((await vault.unwrap(key.versionId, wrapped)).equals(dataKey)).toBe(true);
  });

  it('a version disabled outside Lethe is disabled (403 told apart by asking the vault); altered input does not unwrap', async () => {
    const { vault, fake } = subject();
    const key = await vault.createKey(tenant());
    const wrapped = await vault.wrap(key.versionId, randomBytes(32));
    const altered = Buffer.from(wrapped);
    altered[5] ^= 0xff;
    expect(await vault.unwrap(key.versionId, altered).catch((e: unknown) => e)).toBeInstanceOf(UnwrapFailedError);
    fake.disableOutside(key.keyId, key.versionId.split('/')[1]);
    expect(await vault.unwrap(key.versionId, wrapped).catch((e: unknown) => e)).toBeInstanceOf(KeyVersionDisabledError);
    expect((await vault.listVersions(key.keyId))[0].state).toBe('disabled');
  });

  it('refuses to create a key when the vault keeps deleted keys another time than Lethe was told, then adopts it once corrected', async () => {
    const clock = new ManualClock(T0);
    const prefix = `m${randomBytes(3).toString('hex')}-`;
    const fake = new FakeAzureKeyClient(clock, { softDeleteRetentionDays: 30, purgeProtection: true });
    const told90 = new AzureKeyVault(fake, pool, clock, settings({ keyPrefix: prefix, softDeleteRetentionDays: 90 }));
    const t = tenant();
    const error = await told90.createKey(t).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AzureKeyVaultSettingMismatchError);
    expect((error as Error).message).toMatch(/^LETHE_AZURE_KEYVAULT_SOFT_DELETE_RETENTION_DAYS does not match the vault: the vault keeps deleted keys recoverable for 30 days/);
    const told30 = new AzureKeyVault(fake, pool, clock, settings({ keyPrefix: prefix, softDeleteRetentionDays: 30 }));
    const key = await told30.createKey(t);
    expect(fake.calls.filter((c) => c === 'createRsaKey')).toHaveLength(1);
    expect((await told30.listVersions(key.keyId)).map((v) => v.versionId)).toEqual([key.versionId]);

    const unprotected = new AzureKeyVault(fake, pool, clock, settings({ keyPrefix: prefix, softDeleteRetentionDays: 30, purgeProtection: false }));
    expect(await unprotected.createKey(tenant()).catch((e: unknown) => e)).toBeInstanceOf(AzureKeyVaultSettingMismatchError);
  });

  it('a deleted key recovered outside Lethe shows as usable again, and unwraps truthfully (the probe must see it readable)', async () => {
    const { vault, fake } = subject();
    const key = await vault.createKey(tenant());
    const dataKey = randomBytes(32);
    const wrapped = await vault.wrap(key.versionId, dataKey);
    await vault.destroyKey(key.keyId);
    fake.recoverOutside(key.keyId);
    expect((await vault.listVersions(key.keyId))[0]).toMatchObject({ state: 'enabled', purgedAt: null });
    expect((await vault.unwrap(key.versionId, wrapped)).equals(dataKey)).toBe(true);
    // Never anything new under it.
    await expect(vault.wrap(key.versionId, dataKey)).rejects.toBeInstanceOf(KeyVersionDestroyedError);
  });

  it('the real SDK client is built for a vault URL without calling it (DefaultAzureCredential)', async () => {
    const client = await createAzureKeyClient('https://lethe-example.vault.azure.net');
    expect(typeof client.createRsaKey).toBe('function');
    expect(typeof client.getCryptographyClient('lethe-t-acme', { keyVersion: '0123456789abcdef0123456789abcdef' }).unwrapKey).toBe('function');
  });

  it('keys and versions it does not know are unknown without asking the vault', async () => {
    const { vault, fake } = subject();
    const before = fake.calls.length;
    await expect(vault.listVersions('lethe-t-nobody')).rejects.toBeInstanceOf(UnknownKeyError);
    expect(await vault.destroy('lethe-t-nobody/0123456789abcdef0123456789abcdef')).toEqual({ outcome: 'unknown', unusableAt: null, purgedAt: null });
    expect(fake.calls.length).toBe(before);
  });

  it('its records refuse to forget a tombstone or revive a destroyed version', async () => {
    const { vault } = subject();
    const key = await vault.createKey(tenant());
    await vault.destroyKey(key.keyId);
    await expect(pool.query('update vault_azure_keys set deleted_at = null where key_name = $1', [key.keyId])).rejects.toThrow(/tombstoned/);
    await expect(pool.query('update vault_azure_key_versions set destroyed_at = null where key_name = $1', [key.keyId])).rejects.toThrow(/destroyed/);
    await expect(pool.query('delete from vault_azure_key_versions where key_name = $1', [key.keyId])).rejects.toThrow(/never deleted/);
  });
});
