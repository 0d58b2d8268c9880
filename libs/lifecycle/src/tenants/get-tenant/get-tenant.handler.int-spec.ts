// A tenant from the read model, or from its aggregates while the projection has not caught up yet
// (never a false 404); null for a tenant never onboarded.
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { GetTenantQuery } from './get-tenant.query.js';
import { GetTenantHandler } from './get-tenant.handler.js';

let f: LifecycleFixture;
let handler: GetTenantHandler;

beforeAll(async () => {
  f = await createLifecycleFixture();
  handler = new GetTenantHandler(f.readModels, f.tenants, f.keyRings);
});

afterAll(async () => {
  await f?.close();
});

describe('get tenant', () => {
  it('answers from the aggregates before the projection caught up, then from the read model', async () => {
    await f.onboard('acme', { databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }] });
    const early = await handler.execute(new GetTenantQuery('acme'));
    expect(early?.source).toBe('aggregates');
    if (early?.source === 'aggregates') expect(early.keyRing.databases.map((d) => d.databaseId)).toEqual(['db-1', 'db-2']);
    await f.project();
    const projected = await handler.execute(new GetTenantQuery('acme'));
    expect(projected?.source).toBe('read-model');
    if (projected?.source === 'read-model') {
      expect(projected.row).toEqual(expect.objectContaining({ tenantId: 'acme', status: 'active', jurisdiction: 'DE' }));
      expect(projected.row.databases).toEqual([{ databaseId: 'db-1' }, { databaseId: 'db-2' }]);
    }
  });

  it('answers null for a tenant never onboarded', async () => {
    expect(await handler.execute(new GetTenantQuery('nobody'))).toBeNull();
  });
});
