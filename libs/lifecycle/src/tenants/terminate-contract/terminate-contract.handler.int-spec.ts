// A termination over HTTP and one the contract system appends itself take one path
// (scheduleShredForTermination): the HTTP handler stores the notice in the contract stream first, then
// decides with its revision; the shred saga, meeting that stored notice later, finds it decided.
import { deliverTo } from '@lethe/processors';
import { contractStream, tenantStream, type TenantEvent } from '@lethe/domain';
import { runMigrations } from '@lethe/postgres';
import { PostgresDeadlineStore, schedulerMigrations } from '@lethe/scheduler';
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { noCrash } from '../../crash-points.js';
import { ShredSaga } from '../../shred/shred.saga.js';
import { TerminateContractCommand } from './terminate-contract.command.js';
import { TerminateContractHandler } from './terminate-contract.handler.js';

let f: LifecycleFixture;
let handler: TerminateContractHandler;
let saga: ShredSaga;

beforeAll(async () => {
  f = await createLifecycleFixture();
  await runMigrations((f.pool.options as { connectionString: string }).connectionString, schedulerMigrations);
  handler = new TerminateContractHandler(f.tenants, f.counted, f.clock, noCrash);
  saga = new ShredSaga(f.tenants, new PostgresDeadlineStore(f.pool, f.clock), f.store, f.clock);
});

afterAll(async () => {
  await f?.close();
});

const notice = (terminationId: string) => ({ terminationId, contractId: 'c-1', effectiveAt: '2026-04-01T00:00:00.000Z' });

async function sagaHandles(streamId: string, revision: number): Promise<void> {
  const event = (await f.store.readStream(streamId))[revision];
  const client = await f.pool.connect();
  try {
    await deliverTo(saga, event, client);
  } finally {
    client.release();
  }
}

const tenantEvents = async (tenantId: string) => (await f.store.readStream(tenantStream(tenantId))).map((e) => ({ type: e.type, data: e.data }) as TenantEvent);

describe('terminate contract', () => {
  it('stores the notice, then schedules the shred, from one read of the tenant', async () => {
    await f.onboard('acme');
    f.resetReads();
    const answer = await handler.execute(new TerminateContractCommand('acme', notice('t-1')));
    expect(f.reads(tenantStream('acme'))).toBe(1);
    expect(answer).toEqual({ outcome: 'scheduled', shredId: 'termination:t-1', deadline: expect.any(String), executeAt: expect.any(String), lateNotification: false });
    const contract = await f.store.readStream(contractStream('acme'));
    expect(contract.map((e) => [e.type, e.data])).toEqual([['ContractTerminated', notice('t-1')]]);
    const scheduled = (await tenantEvents('acme')).find((e) => e.type === 'ShredScheduled');
    expect(scheduled?.data).toEqual(
      expect.objectContaining({ shredId: 'termination:t-1', trigger: { kind: 'termination', terminationId: 't-1', contractId: 'c-1' }, receivedAt: f.clock.now().toISOString() }),
    );
  });

  it('leaves nothing for the saga to do when it meets the stored notice', async () => {
    const before = (await f.store.readStream(tenantStream('acme'))).length;
    await sagaHandles(contractStream('acme'), 0);
    expect((await f.store.readStream(tenantStream('acme'))).length).toBe(before);
  });

  it('decides a notice appended straight into the contract stream the same way', async () => {
    await f.onboard('direct');
    await f.onboard('viahttp');
    const stream = contractStream('direct');
    await f.store.append(stream, [{ id: '0f2a4c1e-5b6d-4e7f-8a9b-0c1d2e3f4a5b', type: 'ContractTerminated', data: notice('t-2'), metadata: { receivedAt: f.clock.now().toISOString() } }], 'any');
    await sagaHandles(stream, 0);
    await handler.execute(new TerminateContractCommand('viahttp', notice('t-2')));
    const shredOf = async (tenantId: string) => (await tenantEvents(tenantId)).find((e) => e.type === 'ShredScheduled')!.data;
    expect(await shredOf('direct')).toEqual(await shredOf('viahttp'));
  });

  it('answers a repeat with effectiveAt spelled otherwise (the same instant) as the first, and refuses another instant', async () => {
    await f.onboard('spelling');
    const first = await handler.execute(new TerminateContractCommand('spelling', notice('t-4')));
    // The stream's events are read again by the handler: no idempotency record stands in between here.
    for (const effectiveAt of ['2026-04-01T00:00:00Z', '2026-04-01T02:00:00+02:00']) {
      expect(await handler.execute(new TerminateContractCommand('spelling', { ...notice('t-4'), effectiveAt }))).toEqual(first);
    }
    await expect(handler.execute(new TerminateContractCommand('spelling', { ...notice('t-4'), effectiveAt: '2026-04-01T00:00:01Z' }))).rejects.toMatchObject({ code: 'termination-conflict' });
    expect(await f.store.readStream(contractStream('spelling'))).toHaveLength(1);
  });

  it('answers tenant-not-found and stores nothing for a tenant never onboarded', async () => {
    await expect(handler.execute(new TerminateContractCommand('nobody', notice('t-3')))).rejects.toMatchObject({ code: 'tenant-not-found' });
    expect(await f.store.readStream(contractStream('nobody'))).toEqual([]);
  });
});
