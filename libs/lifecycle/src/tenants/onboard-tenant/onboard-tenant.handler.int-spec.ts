// Onboarding records the tenant, then opens its key ring (a key in the vault, every database
// protected); the same body again answers the same, another body is refused before the vault.
import { LocalReadProbe } from '@lethe/dataplane';
import { createLifecycleFixture, tenantProfile, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';

let f: LifecycleFixture;

beforeAll(async () => {
  f = await createLifecycleFixture();
});

afterAll(async () => {
  await f?.close();
});

describe('onboard tenant', () => {
  it('records the tenant and opens its key ring with every database protected', async () => {
    const { tenant, keyRing } = await f.onboard('acme', { databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }] });
    expect(tenant).toEqual(expect.objectContaining({ exists: true, tenantId: 'acme', profile: tenantProfile('acme', { databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }] }) }));
    expect(keyRing?.databases.map((d) => d.databaseId)).toEqual(['db-1', 'db-2']);
    const probe = new LocalReadProbe(f.pool, f.vault);
    expect((await probe.probe('acme', 'db-2')).outcome).toBe('readable');
  });

  it('answers the same body again with what is stored', async () => {
    const first = await f.onboard('same');
    expect(await f.onboard('same')).toEqual(first);
  });

  it('refuses another body for an existing id, and nothing of it reaches the vault', async () => {
    const { keyRing } = await f.onboard('taken');
    await expect(f.onboard('taken', { jurisdiction: 'FR', timeZone: 'Europe/Paris' })).rejects.toMatchObject({ code: 'tenant-exists' });
    expect(await f.vault.listVersions(keyRing!.keyId!)).toHaveLength(1);
  });
});
