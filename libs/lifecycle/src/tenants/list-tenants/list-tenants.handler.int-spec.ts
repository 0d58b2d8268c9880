// The tenant list pages the read model in tenantId order with a keyset cursor, filtered by status and
// jurisdiction, each tenant with its key ring's databases.
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { decodeCursor, type KeyPart } from '@lethe/readmodel';
import { RequestDeletionCommand } from '../request-deletion/request-deletion.command.js';
import { RequestDeletionHandler } from '../request-deletion/request-deletion.handler.js';
import { ListTenantsQuery, TENANTS_LISTING, type TenantFilter } from './list-tenants.query.js';
import { ListTenantsHandler } from './list-tenants.handler.js';

let f: LifecycleFixture;
let handler: ListTenantsHandler;

beforeAll(async () => {
  f = await createLifecycleFixture();
  for (const [tenantId, jurisdiction, timeZone] of [
    ['delta', 'FR', 'Europe/Paris'],
    ['alpha', 'DE', 'Europe/Berlin'],
    ['charlie', 'DE', 'Europe/Berlin'],
    ['bravo', 'FR', 'Europe/Paris'],
  ]) {
    await f.onboard(tenantId, { jurisdiction, timeZone, databases: [{ databaseId: `${tenantId}-db` }] });
  }
  await new RequestDeletionHandler(f.tenants, f.clock).execute(new RequestDeletionCommand('charlie', { requestId: 'r-1' }));
  await f.project();
  handler = new ListTenantsHandler(f.readModels);
});

afterAll(async () => {
  await f?.close();
});

async function everyPage(filter: TenantFilter, limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  let after: readonly KeyPart[] | null = null;
  do {
    const page = await handler.execute(new ListTenantsQuery(filter, { limit, after }));
    pages.push(page.items.map((t) => t.tenantId));
    after = page.nextCursor === null ? null : decodeCursor(TENANTS_LISTING.name, page.nextCursor, TENANTS_LISTING.key);
  } while (after !== null);
  return pages;
}

describe('list tenants', () => {
  it('pages in tenantId order, each page starting after the previous one', async () => {
    expect(await everyPage({}, 3)).toEqual([['alpha', 'bravo', 'charlie'], ['delta']]);
    expect(await everyPage({}, 4)).toEqual([['alpha', 'bravo', 'charlie', 'delta']]);
  });

  it('filters by jurisdiction and status', async () => {
    expect(await everyPage({ jurisdiction: 'FR' }, 1)).toEqual([['bravo'], ['delta']]);
    expect(await everyPage({ status: 'shred-scheduled' }, 10)).toEqual([['charlie']]);
    expect(await everyPage({ status: 'active', jurisdiction: 'DE' }, 10)).toEqual([['alpha']]);
  });

  it("answers each tenant with its key ring's databases and the calendar choices of its profile", async () => {
    const page = await handler.execute(new ListTenantsQuery({ jurisdiction: 'DE' }, { limit: 1, after: null }));
    expect(page.items[0]).toEqual({
      tenantId: 'alpha',
      status: 'active',
      jurisdiction: 'DE',
      timeZone: 'Europe/Berlin',
      keyCustody: 'managed',
      backupKeyMode: 'customer',
      shredGraceWorkingDays: expect.any(Number),
      excludedHolidayTypes: ['public', 'bank'],
      partialHolidays: 'working',
      databases: [{ databaseId: 'alpha-db' }],
      onboardedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      shred: null,
    });
  });

  it('answers a tenant whose key ring the read model does not hold yet with the databases onboarding asked for', async () => {
    // The key-ring projection runs apart from the tenants projection and may lag it.
    await f.pool.query(`delete from rm_key_rings where tenant_id = 'bravo'`);
    const page = await handler.execute(new ListTenantsQuery({ jurisdiction: 'FR' }, { limit: 1, after: null }));
    expect(page.items.map((t) => [t.tenantId, t.databases])).toEqual([['bravo', [{ databaseId: 'bravo-db' }]]]);
  });
});
