// A cancel withdraws the pending shred and records how far the contract stream went when it was
// received, so a termination stored there before it is withdrawn whenever the saga meets it (P4).
import { shredProgress, tenantStream, tenantStatus } from '@lethe/domain';
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { noCrash } from '../../crash-points.js';
import { TerminateContractCommand } from '../terminate-contract/terminate-contract.command.js';
import { TerminateContractHandler } from '../terminate-contract/terminate-contract.handler.js';
import { CancelShredCommand } from './cancel-shred.command.js';
import { CancelShredHandler } from './cancel-shred.handler.js';

let f: LifecycleFixture;

beforeAll(async () => {
  f = await createLifecycleFixture();
});

afterAll(async () => {
  await f?.close();
});

describe('cancel shred', () => {
  it('cancels the scheduled shred, recording the contract stream revision it withdraws up to', async () => {
    await f.onboard('acme');
    await new TerminateContractHandler(f.tenants, f.counted, f.clock, noCrash).execute(
      new TerminateContractCommand('acme', { terminationId: 't-1', contractId: 'c-1', effectiveAt: '2026-04-01T00:00:00.000Z' }),
    );
    const state = await new CancelShredHandler(f.tenants, f.counted, noCrash).execute(new CancelShredCommand('acme', 'contract renewed', 'req-1'));
    expect(tenantStatus(state)).toBe('active');
    expect(shredProgress(state.shred!)).toBe('cancelled');
    const cancelled = (await f.store.readStream(tenantStream('acme'))).find((e) => e.type === 'ShredCancelled');
    expect(cancelled?.data).toEqual(expect.objectContaining({ shredId: 'termination:t-1', reason: 'contract renewed', withdrawsContractRevision: 0 }));
  });

  it('answers no-shred-scheduled when nothing is scheduled', async () => {
    await f.onboard('calm');
    await expect(new CancelShredHandler(f.tenants, f.counted, noCrash).execute(new CancelShredCommand('calm', 'no reason', 'req-2'))).rejects.toMatchObject({ code: 'no-shred-scheduled' });
  });
});
