// The shred list: tenants with a shred, in tenantId order, by status, paged with a keyset cursor.
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { decodeCursor } from '@lethe/readmodel';
import { RequestDeletionCommand } from '../request-deletion/request-deletion.command.js';
import { RequestDeletionHandler } from '../request-deletion/request-deletion.handler.js';
import { ListShredsQuery, SHREDS_LISTING } from './list-shreds.query.js';
import { ListShredsHandler } from './list-shreds.handler.js';

let f: LifecycleFixture;
let handler: ListShredsHandler;

beforeAll(async () => {
  f = await createLifecycleFixture();
  const requests = new RequestDeletionHandler(f.tenants, f.clock);
  for (const tenantId of ['echo', 'alpha', 'quiet', 'charlie']) {
    await f.onboard(tenantId);
    if (tenantId !== 'quiet') await requests.execute(new RequestDeletionCommand(tenantId, { requestId: `r-${tenantId}` }));
  }
  await f.project();
  handler = new ListShredsHandler(f.readModels);
});

afterAll(async () => {
  await f?.close();
});

describe('list shreds', () => {
  it('pages the tenants with a shred in tenantId order, leaving out those without one', async () => {
    const first = await handler.execute(new ListShredsQuery(undefined, { limit: 2, after: null }));
    expect(first.items.map((v) => [v.tenantId, v.status, v.shred?.shredId])).toEqual([
      ['alpha', 'shred-scheduled', 'deletion-request:r-alpha'],
      ['charlie', 'shred-scheduled', 'deletion-request:r-charlie'],
    ]);
    const second = await handler.execute(new ListShredsQuery(undefined, { limit: 2, after: decodeCursor(SHREDS_LISTING.name, first.nextCursor!, SHREDS_LISTING.key) }));
    expect(second).toEqual({ items: [expect.objectContaining({ tenantId: 'echo' })], nextCursor: null });
  });

  it('filters by status', async () => {
    expect((await handler.execute(new ListShredsQuery('verified', { limit: 10, after: null }))).items).toEqual([]);
    expect((await handler.execute(new ListShredsQuery('shred-scheduled', { limit: 10, after: null }))).items).toHaveLength(3);
  });
});
