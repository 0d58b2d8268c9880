// The fleet in numbers from the read models: statuses with a zero for each one nobody is in, and
// only the domain's own event types (an outsider's type in a contract stream is left out).
import { randomUUID } from 'node:crypto';
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { CountFleetHandler } from './count-fleet.handler.js';

let f: LifecycleFixture;

beforeAll(async () => {
  f = await createLifecycleFixture(new Date('2026-03-02T09:00:00.000Z'));
});

afterAll(async () => {
  await f?.close();
});

describe('count fleet', () => {
  it('counts tenants, shreds, key versions and domain events, never an outsider event type', async () => {
    await f.onboard('alpha');
    await f.onboard('bravo');
    await f.store.append('contract-alpha', [{ id: randomUUID(), type: 'SomethingTheContractSystemInvented', data: {} }], 'any');
    await f.project();
    const counts = await new CountFleetHandler(f.readModels).execute();
    expect(counts.tenants).toEqual({ active: 2, 'shred-scheduled': 0, shredding: 0, shredded: 0, verified: 0, breached: 0 });
    expect(counts.shreds).toEqual({ 'shred-scheduled': 0, shredding: 0, shredded: 0, verified: 0, breached: 0, cancelled: 0 });
    expect(counts.nearestShredDeadline).toBeNull();
    expect(counts.keyVersions).toEqual({ active: 2, superseded: 0, retired: 0, destroyed: 0 });
    expect(counts.events).toMatchObject({ TenantOnboarded: 2, KeyRingOpened: 2, ShredVerified: 0, ContractEventRejected: 0 });
    expect(Object.keys(counts.events)).not.toContain('SomethingTheContractSystemInvented');
  });
});
