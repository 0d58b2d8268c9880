// The adapter's own logic (expectations, retries, replays, filtering, positions, cancelled reads)
// over a fake of the client that models the server (test-support/fake-esdb-client.ts). No server:
// the same contract against a real one is eventstoredb-event-store.int-spec.ts.
import { randomUUID } from 'node:crypto';
import { WrongExpectedVersionError } from '@eventstore/db-client';
import { eventStoreContract } from '../contract/event-store.contract.js';
import { WrongExpectedRevisionError } from '../errors.js';
import type { EventToAppend } from '../event-store.js';
import { FakeEsdbClient } from '../../test-support/fake-esdb-client.js';
import { EventStoreDbEventStore } from './eventstoredb-event-store.js';

const CONTRACT_CATEGORIES = ['a', 'r', 'id', 'w', 'x', 'any', 'idem', 'd1', 'd2', 'bad', 'empty', 'none', 'race', 'ga', 'gb', 'head', 'live', 'boom', 'load'];

eventStoreContract(
  'EventStoreDB adapter over a fake of the client (no server)',
  async () => {
    const fake = new FakeEsdbClient();
    // Another system's streams share $all: the adapter must not see them.
    fake.write('orders-1', 'OrderPlaced');
    const open = () => new EventStoreDbEventStore(fake.asClient(), { categories: CONTRACT_CATEGORIES });
    const store = open();
    return {
      store,
      async appendWithDelayedCommit(streamId, events, delayMs) {
        await store.append(streamId, events, 'no-stream');
        if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      },
      async otherStores(count) {
        return Array.from({ length: count }, open);
      },
      async dispose() {
        await store.close();
      },
    };
  },
  { eventIdsUniqueWithinStreamOnly: true },
);

const ev = (type = 'Happened'): EventToAppend => ({ id: randomUUID(), type, data: { n: 1 }, metadata: { schemaVersion: 1, causationId: 'cause-1' } });

describe('EventStoreDB adapter', () => {
  let fake: FakeEsdbClient;
  let store: EventStoreDbEventStore;

  beforeEach(() => {
    fake = new FakeEsdbClient();
    store = new EventStoreDbEventStore(fake.asClient(), { categories: ['tenant', 'keys'] });
  });

  it('stores metadata under both names and reads back what was given', async () => {
    const e = ev();
    await store.append('tenant-t1', [e], 'no-stream');
    expect(fake.log[0].metadata).toEqual({ schemaVersion: 1, causationId: 'cause-1', $causationId: 'cause-1' });
    expect((await store.readStream('tenant-t1'))[0].metadata).toEqual(e.metadata);
  });

  it("maps the client's conflict to the port's, with the revision the server reports", async () => {
    await store.append('tenant-t1', [ev(), ev()], 'no-stream');
    const error = await store.append('tenant-t1', [ev()], 0n).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ streamId: 'tenant-t1', expected: 0n, actual: 1n });
    expect(error).not.toBeInstanceOf(WrongExpectedVersionError);
  });

  it('reports a retried append at the same revision as a replay with the first positions', async () => {
    const batch = [ev(), ev()];
    const first = await store.append('keys-t1', batch, 'no-stream');
    expect(await store.append('keys-t1', batch, 'no-stream')).toEqual({ ...first, replayed: true });
    expect(fake.log).toHaveLength(2);
  });

  it("sends 'any' as the revision it read, and reads again when another writer took it", async () => {
    await store.append('tenant-t1', [ev()], 'no-stream');
    let raced = false;
    fake.beforeAppend = async (streamId) => {
      if (raced) return;
      raced = true;
      fake.write(streamId, 'ByAnotherWriter');
    };
    const mine = ev('Mine');
    const result = await store.append('tenant-t1', [mine], 'any');
    expect(result).toMatchObject({ nextRevision: 2n, replayed: false });
    expect((await store.readStream('tenant-t1')).map((e) => e.type)).toEqual(['Happened', 'ByAnotherWriter', 'Mine']);
    // And a retry of it, however late, appends nothing.
    expect(await store.append('tenant-t1', [mine], 'any')).toEqual({ ...result, replayed: true });
  });

  it('positions are byte offsets: increasing, not consecutive, and where reads resume', async () => {
    const { positions } = await store.append('tenant-t1', [ev('1'), ev('2'), ev('3')], 'no-stream');
    expect(positions[1] - positions[0]).toBeGreaterThan(1n);
    expect((await store.readAll(positions[0], 10)).map((e) => e.type)).toEqual(['2', '3']);
    expect(await store.head()).toBe(positions[2]);
  });

  it("reads only Lethe's streams of $all, and cancels every read it leaves early", async () => {
    fake.write('orders-1', 'OrderPlaced');
    await store.append('tenant-t1', [ev('mine')], 'no-stream');
    fake.write('tenantx-1', 'NotOurs');
    fake.write('orders-2', 'OrderPlaced');
    expect((await store.readAll(0n, 10)).map((e) => e.type)).toEqual(['mine']);
    const [mine] = await store.readAll(0n, 1);
    expect(await store.head()).toBe(mine.position);
    expect(await store.readEvent(fake.log.find((e) => e.streamId === 'orders-1')!.id)).toBeNull();
    expect(await store.readEvent(mine.id)).toMatchObject({ type: 'mine' });
    expect(fake.openReads).toBe(0);
  });

  it('follows only Lethe streams on subscription, from after the given position', async () => {
    const { positions } = await store.append('tenant-t1', [ev('old')], 'no-stream');
    fake.write('orders-1', 'OrderPlaced');
    const seen: string[] = [];
    const sub = store.subscribe(positions[0], async (e) => void seen.push(e.type));
    await store.append('keys-t1', [ev('new')], 'no-stream');
    const until = Date.now() + 5_000;
    while (seen.length < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    await sub.stop();
    expect(seen).toEqual(['new']);
  });

  it('closes its subscriptions and the client', async () => {
    const sub = store.subscribe(0n, async () => undefined);
    await store.close();
    await sub.done;
    expect(fake.disposed).toBe(true);
  });
});
