// Staging assets: in the data plane first, then in the key ring; idempotent by id, refused with
// another expiry. Real PostgreSQL and data plane.
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { ListStagingAssetsQuery } from '../list-staging-assets/list-staging-assets.query.js';
import { ListStagingAssetsHandler } from '../list-staging-assets/list-staging-assets.handler.js';
import { RegisterStagingAssetCommand } from './register-staging-asset.command.js';
import { RegisterStagingAssetHandler } from './register-staging-asset.handler.js';

let f: LifecycleFixture;
let handler: RegisterStagingAssetHandler;

beforeAll(async () => {
  f = await createLifecycleFixture();
  handler = new RegisterStagingAssetHandler(f.keyRings, f.tenants, f.dataPlane, f.clock, f.opener);
});

afterAll(async () => {
  await f?.close();
});

describe('register staging asset', () => {
  it('registers the blob in the data plane and the ring, answers the same for the same body, 409 for another expiry', async () => {
    await f.onboard('acme');
    const asset = { assetId: 'blob-1', expiresAt: '2026-04-01T00:00:00.000Z' };
    const first = await handler.execute(new RegisterStagingAssetCommand('acme', asset));
    expect(first).toEqual({ ...asset, registeredAt: f.clock.now().toISOString() });
    expect(await f.dataPlane.checkAsset('acme', 'staging', 'blob-1')).toEqual({ readable: true });
    expect(await handler.execute(new RegisterStagingAssetCommand('acme', asset))).toEqual(first);
    await expect(handler.execute(new RegisterStagingAssetCommand('acme', { ...asset, expiresAt: null }))).rejects.toMatchObject({ code: 'staging-asset-exists' });
    expect(await new ListStagingAssetsHandler(f.keyRings).execute(new ListStagingAssetsQuery('acme'))).toEqual([first]);
  });

  it('answers tenant-not-found for an unknown tenant', async () => {
    await expect(new ListStagingAssetsHandler(f.keyRings).execute(new ListStagingAssetsQuery('nobody'))).rejects.toMatchObject({ code: 'tenant-not-found' });
  });
});
