// PATCH of the rotation period and the backup policy: both changes from one read of the ring.
import { keyRingStream } from '@lethe/domain';
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { ChangeKeyRingPolicyCommand } from './change-key-ring-policy.command.js';
import { ChangeKeyRingPolicyHandler } from './change-key-ring-policy.handler.js';

let f: LifecycleFixture;
let handler: ChangeKeyRingPolicyHandler;

beforeAll(async () => {
  f = await createLifecycleFixture();
  handler = new ChangeKeyRingPolicyHandler(f.keyRings, f.clock, f.opener);
});

afterAll(async () => {
  await f?.close();
});

const types = async (tenantId: string) => (await f.store.readStream(keyRingStream(tenantId))).map((e) => e.type);

describe('change key ring policy', () => {
  it('changes the rotation period and the point-in-time window from one read of the ring', async () => {
    await f.onboard('acme');
    f.resetReads();
    const state = await handler.execute(new ChangeKeyRingPolicyCommand('acme', { rotationPeriodDays: 90, pitrRetentionDays: 7 }));
    expect(f.reads(keyRingStream('acme'))).toBe(1);
    expect([state.rotationPeriodDays, state.pitrRetentionDays]).toEqual([90, 7]);
    expect(await types('acme')).toEqual(['KeyRingOpened', 'RotationPeriodChanged', 'BackupPolicyChanged']);
    expect((await f.keyRings.load('acme')).state).toEqual(state);
  });

  it('changes one field alone', async () => {
    await f.onboard('solo');
    const state = await handler.execute(new ChangeKeyRingPolicyCommand('solo', { pitrRetentionDays: 14 }));
    expect([state.rotationPeriodDays, state.pitrRetentionDays]).toEqual([365, 14]);
    expect(await types('solo')).toEqual(['KeyRingOpened', 'BackupPolicyChanged']);
  });

  it('refuses a period out of range and appends nothing', async () => {
    await f.onboard('bad');
    await expect(handler.execute(new ChangeKeyRingPolicyCommand('bad', { rotationPeriodDays: 0 }))).rejects.toMatchObject({ code: 'invalid-rotation-period' });
    expect(await types('bad')).toEqual(['KeyRingOpened']);
  });
});
