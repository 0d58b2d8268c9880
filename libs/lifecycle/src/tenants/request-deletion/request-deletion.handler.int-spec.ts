// The tenant's deletion request: its clock starts on receipt; the same id answers the same; another
// request joins the shred already scheduled.
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { RequestDeletionCommand } from './request-deletion.command.js';
import { RequestDeletionHandler } from './request-deletion.handler.js';

let f: LifecycleFixture;
let handler: RequestDeletionHandler;

beforeAll(async () => {
  f = await createLifecycleFixture(new Date('2026-03-02T09:00:00.000Z'));
  handler = new RequestDeletionHandler(f.tenants, f.clock);
});

afterAll(async () => {
  await f?.close();
});

describe('request deletion', () => {
  it('schedules a shred 5 working days after receipt, whatever requestedAt says', async () => {
    await f.onboard('acme');
    const answer = await handler.execute(new RequestDeletionCommand('acme', { requestId: 'r-1', requestedAt: '2025-01-01T00:00:00.000Z' }));
    // Monday 2 March 2026 in Berlin: 5 working days after it end on Monday 9 March, 23:59:59.999 CET.
    expect(answer).toEqual({ outcome: 'scheduled', shredId: 'deletion-request:r-1', deadline: '2026-03-09T22:59:59.999Z', executeAt: '2026-03-04T22:59:59.999Z', lateNotification: false });
    expect(await handler.execute(new RequestDeletionCommand('acme', { requestId: 'r-1', requestedAt: '2025-01-01T00:00:00.000Z' }))).toEqual(answer);
    expect(await handler.execute(new RequestDeletionCommand('acme', { requestId: 'r-2' }))).toEqual({ ...answer, outcome: 'already-scheduled' });
  });
});
