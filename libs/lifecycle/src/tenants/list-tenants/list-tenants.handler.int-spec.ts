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
    pages.push(page.items.map((t) => t.view.tenantId));
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

  it("answers each tenant with its key ring's databases", async () => {
    const page = await handler.execute(new ListTenantsQuery({ jurisdiction: 'DE' }, { limit: 1, after: null }));
    expect(page.items[0].ring?.databases.map((d) => d.databaseId)).toEqual(['alpha-db']);
  });
});
