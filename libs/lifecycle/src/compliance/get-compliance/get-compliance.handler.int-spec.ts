// Compliance over the key ring read models, paged over live key rings: a managed key older than its
// rotation period breaks P1 on the page that covers its ring.
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { decodeCursor } from '@lethe/readmodel';
import { COMPLIANCE_LISTING, GetComplianceQuery } from './get-compliance.query.js';
import { GetComplianceHandler } from './get-compliance.handler.js';

let f: LifecycleFixture;
let handler: GetComplianceHandler;

beforeAll(async () => {
  f = await createLifecycleFixture(new Date('2026-03-02T09:00:00.000Z'));
  await f.onboard('alpha', { rotationPeriodDays: 365 });
  await f.onboard('bravo', { rotationPeriodDays: 1 });
  await f.project();
  f.clock.set(new Date('2026-03-05T09:00:00.000Z'));
  handler = new GetComplianceHandler(f.readModels, f.clock);
});

afterAll(async () => {
  await f?.close();
});

describe('get compliance', () => {
  it('reports each ring on one page, the overdue rotation on the page covering its tenant', async () => {
    const first = await handler.execute(new GetComplianceQuery({ limit: 1, after: null }));
    expect(first).toEqual({ at: '2026-03-05T09:00:00.000Z', P1: [], P2: [], P3: [], nextCursor: expect.any(String) });
    const second = await handler.execute(new GetComplianceQuery({ limit: 1, after: decodeCursor(COMPLIANCE_LISTING.name, first.nextCursor!, COMPLIANCE_LISTING.key) }));
    expect(second.P1).toEqual([expect.objectContaining({ tenantId: 'bravo', keyCustody: 'managed', limitDays: 1 })]);
    expect(second.nextCursor).toBeNull();
  });
});
