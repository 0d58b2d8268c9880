// The behaviour every EventStore adapter must show. Adapters run it from their own *.int-spec.ts
// with a factory for a fresh, empty store.
import { randomUUID } from 'node:crypto';
import type { EventStore, EventToAppend, RecordedEvent } from '../event-store.js';
import { DuplicateEventIdError, InvalidAppendError, WrongExpectedRevisionError } from '../errors.js';
import { trackingAppends } from '../appended-positions.js';

export interface ContractSubject {
  readonly store: EventStore;
  /**
   * Appends inside a transaction that stays open for `delayMs` before committing, so commits land
   * out of position order. Adapters without client-side transactions append and then wait.
   */
  appendWithDelayedCommit(streamId: string, events: readonly EventToAppend[], delayMs: number): Promise<void>;
  /** Another connection pool / client on the same store, for concurrency tests. */
  otherStores(count: number): Promise<EventStore[]>;
  dispose(): Promise<void>;
}

const ev = (type = 'Happened', data: Record<string, string | number> = {}): EventToAppend => ({
  id: randomUUID(),
  type,
  data,
  metadata: { schemaVersion: 1 },
});

const uniqueStream = (prefix: string) => `${prefix}-${randomUUID()}`;

/** What a store cannot promise, so that the tests of it are skipped (shown as skipped) for that adapter. */
export interface ContractLimits {
  /**
   * EventStoreDB keeps no index of event ids: it recognises an id again only within its stream, so
   * an id reused in another stream is stored, not refused.
   */
  readonly eventIdsUniqueWithinStreamOnly?: boolean;
}

export function eventStoreContract(adapter: string, makeSubject: () => Promise<ContractSubject>, limits: ContractLimits = {}): void {
  describe(`EventStore contract: ${adapter}`, () => {
    let subject: ContractSubject;
    let store: EventStore;

    beforeAll(async () => {
      subject = await makeSubject();
      store = subject.store;
    });
    afterAll(async () => {
      await subject.dispose();
    });

    describe('append and readStream', () => {
      it('creates a stream with no-stream and numbers revisions from 0', async () => {
        const s = uniqueStream('a');
        const r1 = await store.append(s, [ev('A', { n: 1 }), ev('B', { n: 2 })], 'no-stream');
        expect(r1.nextRevision).toBe(1n);
        expect(r1.positions).toHaveLength(2);
        expect(r1.positions[1]).toBeGreaterThan(r1.positions[0]);
        const r2 = await store.append(s, [ev('C')], 1n);
        expect(r2.nextRevision).toBe(2n);
        const read = await store.readStream(s);
        expect(read.map((e) => [e.type, e.revision])).toEqual([
          ['A', 0n],
          ['B', 1n],
          ['C', 2n],
        ]);
        expect(read[0].data).toEqual({ n: 1 });
        expect(read[0].metadata).toEqual({ schemaVersion: 1 });
        expect(read[0].streamId).toBe(s);
        expect(read[0].recordedAt).toBeInstanceOf(Date);
      });

      it('reads a stream from a revision, with a limit, and an unknown stream as empty', async () => {
        const s = uniqueStream('r');
        await store.append(s, [ev('0'), ev('1'), ev('2'), ev('3')], 'no-stream');
        const page = await store.readStream(s, { fromRevision: 1n, limit: 2 });
        expect(page.map((e) => e.type)).toEqual(['1', '2']);
        expect(await store.readStream(uniqueStream('none'))).toEqual([]);
      });

      it('reads one event by its id (any case), and null for an id never stored or not a UUID', async () => {
        const s = uniqueStream('id');
        const events = [ev('0', { n: 0 }), ev('1', { n: 1 })];
        await store.append(s, events, 'no-stream');
        const found = await store.readEvent(events[1].id.toUpperCase());
        expect(found).toMatchObject({ id: events[1].id, streamId: s, revision: 1n, type: '1', data: { n: 1 } });
        expect(await store.readEvent(randomUUID())).toBeNull();
        expect(await store.readEvent('not-a-uuid')).toBeNull();
      });

      it('reads an event by id only in the streams named, when some are', async () => {
        const s = uniqueStream('id');
        const other = uniqueStream('id');
        const events = [ev('0'), ev('1')];
        await store.append(s, events, 'no-stream');
        await store.append(other, [ev('x')], 'no-stream');
        expect(await store.readEvent(events[1].id, { streams: [other, s] })).toMatchObject({ id: events[1].id, streamId: s, revision: 1n });
        expect(await store.readEvent(events[1].id, { streams: [other] })).toBeNull();
        expect(await store.readEvent(events[1].id, { streams: [] })).toBeNull();
      });

      it('rejects a wrong expected revision with a typed error that reports the actual revision', async () => {
        const s = uniqueStream('w');
        await store.append(s, [ev(), ev()], 'no-stream');
        const attempt = store.append(s, [ev()], 0n);
        await expect(attempt).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        await expect(store.append(s, [ev()], 0n)).rejects.toMatchObject({ streamId: s, expected: 0n, actual: 1n });
        await expect(store.append(s, [ev()], 'no-stream')).rejects.toMatchObject({ actual: 1n });
        await expect(store.append(uniqueStream('x'), [ev()], 'exists')).rejects.toMatchObject({ actual: 'no-stream' });
        await expect(store.append(uniqueStream('x'), [ev()], 5n)).rejects.toBeInstanceOf(WrongExpectedRevisionError);
        expect(await store.readStream(s)).toHaveLength(2);
      });

      it("appends with 'any' and 'exists' whatever the revision", async () => {
        const s = uniqueStream('any');
        await store.append(s, [ev()], 'any');
        await store.append(s, [ev()], 'exists');
        const r = await store.append(s, [ev()], 'any');
        expect(r.nextRevision).toBe(2n);
      });

      it('treats re-appending the same events (same ids) as a no-op with the first answer', async () => {
        const s = uniqueStream('idem');
        const batch = [ev('A'), ev('B')];
        const first = await store.append(s, batch, 'no-stream');
        await store.append(s, [ev('C')], 1n);
        const again = await store.append(s, batch, 'no-stream');
        expect(first.replayed).toBe(false);
        expect(again).toEqual({ ...first, replayed: true });
        const anyAgain = await store.append(s, batch, 'any');
        expect(anyAgain).toEqual({ ...first, replayed: true });
        expect((await store.readStream(s)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
      });

      (limits.eventIdsUniqueWithinStreamOnly ? it.skip : it)('refuses an event id already used by another event', async () => {
        const one = ev('A');
        await store.append(uniqueStream('d1'), [one], 'no-stream');
        const other = uniqueStream('d2');
        await expect(store.append(other, [one], 'any')).rejects.toBeInstanceOf(DuplicateEventIdError);
        expect(await store.readStream(other)).toEqual([]);
      });

      it('rejects malformed appends naming the field, storing nothing', async () => {
        const s = uniqueStream('bad');
        await expect(store.append(s, [{ ...ev(), id: 'not-a-uuid' }], 'any')).rejects.toMatchObject({
          name: 'InvalidAppendError',
          field: 'events[0].id',
        });
        await expect(store.append(s, [ev(), { ...ev(), type: '' }], 'any')).rejects.toBeInstanceOf(InvalidAppendError);
        const dup = ev();
        await expect(store.append(s, [dup, dup], 'any')).rejects.toMatchObject({ field: 'events[1].id' });
        await expect(store.append('', [ev()], 'any')).rejects.toMatchObject({ field: 'streamId' });
        expect(await store.readStream(s)).toEqual([]);
      });

      it('answers an empty append with the current revision, still checking the expectation', async () => {
        const s = uniqueStream('empty');
        await expect(store.append(s, [], 'no-stream')).resolves.toEqual({ nextRevision: -1n, positions: [], replayed: false });
        await store.append(s, [ev()], 'no-stream');
        await expect(store.append(s, [], 0n)).resolves.toEqual({ nextRevision: 0n, positions: [], replayed: false });
        await expect(store.append(s, [], 'no-stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
      });
    });

    describe('concurrency', () => {
      it('lets exactly one of many connections win each revision of one stream', async () => {
        const s = uniqueStream('race');
        const stores = await subject.otherStores(8);
        await store.append(s, [ev('seed')], 'no-stream');
        for (let revision = 0n; revision < 5n; revision++) {
          const outcomes = await Promise.allSettled(
            Array.from({ length: 16 }, (_, i) => stores[i % stores.length].append(s, [ev(`r${revision}-${i}`)], revision)),
          );
          const won = outcomes.filter((o) => o.status === 'fulfilled');
          const lost = outcomes.filter((o) => o.status === 'rejected') as PromiseRejectedResult[];
          expect(won).toHaveLength(1);
          expect(lost.every((o) => o.reason instanceof WrongExpectedRevisionError)).toBe(true);
        }
        const events = await store.readStream(s);
        expect(events.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
      });

      it("serialises concurrent 'any' appends to one stream without losing any", async () => {
        const s = uniqueStream('any-race');
        const stores = await subject.otherStores(8);
        await Promise.all(Array.from({ length: 40 }, (_, i) => stores[i % stores.length].append(s, [ev(`e${i}`)], 'any')));
        const events = await store.readStream(s);
        expect(events).toHaveLength(40);
        expect(events.map((e) => e.revision)).toEqual(Array.from({ length: 40 }, (_, i) => BigInt(i)));
      });
    });

    describe('readAll and subscribe', () => {
      it('reads the global log in order, in pages after a position', async () => {
        const a = uniqueStream('ga');
        const b = uniqueStream('gb');
        // A position names an event; it is not arithmetic (EventStoreDB's are byte offsets).
        const before = await lastPosition(store);
        await store.append(a, [ev('a1')], 'no-stream');
        await store.append(b, [ev('b1'), ev('b2')], 'no-stream');
        await store.append(a, [ev('a2')], 0n);
        // No other writer uses this store now, so the four events are adjacent in the log.
        // readAll may stop short of a hole it cannot yet prove final (another transaction on the
        // server holds it open): read again until the pages are full.
        const page1 = await readAtLeast(store, before, 2, 2);
        const page2 = await readAtLeast(store, page1[1].position, 10, 2);
        expect([...page1, ...page2].map((e) => e.type).slice(0, 4)).toEqual(['a1', 'b1', 'b2', 'a2']);
        expect(page1).toHaveLength(2);
      });

      it('names the newest committed position as the head of the log', async () => {
        const s = uniqueStream('head');
        const before = await store.head();
        const { positions } = await store.append(s, [ev('h1'), ev('h2')], 'no-stream');
        const head = await store.head();
        expect(head).toBeGreaterThanOrEqual(positions[1]);
        expect(head).toBeGreaterThan(before);
      });

      it('tells a unit of work the highest position its appends wrote or, replayed, found; nothing outside it', async () => {
        const s = uniqueStream('tracked');
        const batch = [ev('t1'), ev('t2')];
        const written = await trackingAppends(async () => {
          const first = await store.append(s, batch, 'no-stream');
          const second = await store.append(uniqueStream('tracked-other'), [ev('t3')], 'no-stream');
          return [...first.positions, ...second.positions];
        });
        expect(written.highestAppended).toBe(written.result.reduce((a, b) => (b > a ? b : a)));
        // An append outside the unit of work does not count in it
        const later = await trackingAppends(async () => {
          await Promise.resolve();
          return 'nothing appended';
        });
        await store.append(uniqueStream('untracked'), [ev('u')], 'no-stream');
        expect(later).toEqual({ result: 'nothing appended', highestAppended: undefined });
        // A replay reports where the events already are
        const replayed = await trackingAppends(() => store.append(s, batch, 'no-stream'));
        expect(replayed.result.replayed).toBe(true);
        expect(replayed.highestAppended).toBe(written.result[1]);
      });

      it('delivers stored events, then live ones, in global order', async () => {
        const s = uniqueStream('live');
        const before = await lastPosition(store);
        await store.append(s, [ev('old')], 'no-stream');
        const seen: RecordedEvent[] = [];
        let caughtUp = false;
        const sub = store.subscribe(before, async (e) => void (e.streamId === s && seen.push(e)), { onCaughtUp: () => (caughtUp = true) });
        await waitFor(() => seen.length === 1 && caughtUp);
        await store.append(s, [ev('new1'), ev('new2')], 0n);
        await waitFor(() => seen.length === 3);
        await sub.stop();
        expect(seen.map((e) => e.type)).toEqual(['old', 'new1', 'new2']);
        expect(sub.position).toBe(seen[2].position);
      });

      it('stops and reports when the handler throws, keeping the position of the last handled event', async () => {
        const s = uniqueStream('boom');
        const before = await lastPosition(store);
        await store.append(s, [ev('ok'), ev('fails'), ev('never')], 'no-stream');
        let failure: unknown;
        const handled: string[] = [];
        const sub = store.subscribe(
          before,
          async (e) => {
            if (e.streamId !== s) return;
            if (e.type === 'fails') throw new Error('handler broke');
            handled.push(e.type);
          },
          { onError: (error) => (failure = error) },
        );
        await sub.done;
        expect(handled).toEqual(['ok']);
        expect((failure as Error).message).toBe('handler broke');
        const ok = (await store.readStream(s))[0];
        expect(sub.position).toBe(ok.position);
      });

      it('misses nothing and keeps global order while 8 writers commit 10,000 events out of order', async () => {
        const prefix = uniqueStream('load');
        const before = await lastPosition(store);
        const seen: RecordedEvent[] = [];
        let failure: unknown;
        const sub = store.subscribe(
          before,
          async (e) => {
            if (e.streamId.startsWith(prefix)) seen.push(e);
          },
          { onError: (error) => (failure = error) },
        );
        const writers = 8;
        const perWriter = 1250;
        const written = new Set<string>();
        const startedAt = Date.now();
        await Promise.all(
          Array.from({ length: writers }, async (_, w) => {
            let n = 0;
            let appendNo = 0;
            while (n < perWriter) {
              const size = Math.min(perWriter - n, 1 + Math.floor(Math.random() * 3));
              const batch = Array.from({ length: size }, (_, i) => ev('Load', { w, n: n + i }));
              batch.forEach((e) => written.add(e.id));
              // A fresh stream per append: every append is independent, commits race freely.
              await subject.appendWithDelayedCommit(`${prefix}-${w}-${appendNo++}`, batch, Math.floor(Math.random() * 4));
              n += size;
            }
          }),
        );
        expect(written.size).toBe(writers * perWriter);
        const writtenAt = Date.now();
        await waitFor(() => seen.length >= written.size, 30_000).catch((e) => {
          throw new Error(`${(e as Error).message}: saw ${seen.length} of ${written.size}, writers took ${writtenAt - startedAt} ms, subscription error: ${String(failure)}`);
        });
        await new Promise((r) => setTimeout(r, 200));
        await sub.stop();
        expect(failure).toBeUndefined();
        expect(seen).toHaveLength(written.size);
        expect(new Set(seen.map((e) => e.id)).size).toBe(written.size);
        expect(seen.every((e) => written.has(e.id))).toBe(true);
        for (let i = 1; i < seen.length; i++) expect(seen[i].position > seen[i - 1].position).toBe(true);
      }, 120_000);
    });
  });
}

async function readAtLeast(store: EventStore, after: bigint, limit: number, count: number): Promise<RecordedEvent[]> {
  const until = Date.now() + 10_000;
  for (;;) {
    const page = await store.readAll(after, limit);
    if (page.length >= count || Date.now() > until) return page;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function lastPosition(store: EventStore): Promise<bigint> {
  let position = 0n;
  for (;;) {
    const page = await store.readAll(position, 1000);
    if (page.length === 0) return position;
    position = page[page.length - 1].position;
  }
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
