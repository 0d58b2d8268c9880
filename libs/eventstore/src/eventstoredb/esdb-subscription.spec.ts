// The subscription over the client's catch-up subscription to $all, fed resolved events shaped as
// the client yields them (no server): order, caught-up, stop, handler failure, lost connection.
import { randomUUID } from 'node:crypto';
import { CancelledError, type AllStreamResolvedEvent, type AllStreamSubscription } from '@eventstore/db-client';
import type { RecordedEvent } from '../event-store.js';
import { fromClientEvent, UnrepresentablePositionError } from './esdb-mapping.js';
import { EsdbSubscription, SubscriptionEndedError } from './esdb-subscription.js';

function resolved(position: bigint, streamId = 'tenant-t1', prepare = position): AllStreamResolvedEvent {
  return {
    event: {
      streamId,
      id: randomUUID(),
      isJson: true,
      revision: 0n,
      type: `at-${position}`,
      created: new Date(),
      data: {},
      metadata: { schemaVersion: 1 },
      position: { commit: position, prepare },
    },
  } as AllStreamResolvedEvent;
}

/** A stand-in for the client's subscription: yields what is pushed, ends or fails on request, cancels on unsubscribe. */
class Source {
  private queue: (AllStreamResolvedEvent | Error | 'end')[] = [];
  private wake: (() => void) | undefined;
  private cancelled = false;
  unsubscribed = 0;

  push(...items: (AllStreamResolvedEvent | Error | 'end')[]): void {
    this.queue.push(...items);
    this.wake?.();
  }

  asSubscription(): AllStreamSubscription {
    return { unsubscribe: () => this.cancel(), [Symbol.asyncIterator]: () => this.events() } as unknown as AllStreamSubscription;
  }

  private async cancel(): Promise<void> {
    this.unsubscribed++;
    this.cancelled = true;
    this.wake?.();
  }

  private async *events(): AsyncGenerator<AllStreamResolvedEvent> {
    for (;;) {
      if (this.cancelled) throw new CancelledError(undefined as never);
      const next = this.queue.shift();
      if (next === undefined) {
        await new Promise<void>((r) => (this.wake = r));
        continue;
      }
      if (next === 'end') return;
      if (next instanceof Error) throw next;
      yield next;
    }
  }
}

const decode = (r: AllStreamResolvedEvent) => fromClientEvent(r);

async function waitFor(condition: () => boolean): Promise<void> {
  const until = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met within 5 s');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('EventStoreDB subscription', () => {
  it('delivers in order, skips what is at or before the start, and is caught up once past the head it started with', async () => {
    const source = new Source();
    const seen: string[] = [];
    let caughtUpAfter = -1;
    const sub = new EsdbSubscription(() => source.asSubscription(), async () => 300n, decode, 100n, async (e) => void seen.push(e.type), {
      onCaughtUp: () => (caughtUpAfter = seen.length),
    });
    source.push(resolved(100n), resolved(200n), resolved(300n));
    await waitFor(() => seen.length === 2);
    expect(caughtUpAfter).toBe(2);
    source.push(resolved(400n));
    await waitFor(() => seen.length === 3);
    await sub.stop();
    expect(seen).toEqual(['at-200', 'at-300', 'at-400']);
    expect(sub.position).toBe(400n);
    expect(source.unsubscribed).toBeGreaterThan(0);
  });

  it('is caught up at once when the log has nothing after the start', async () => {
    const source = new Source();
    let caughtUp = false;
    const sub = new EsdbSubscription(() => source.asSubscription(), async () => 50n, decode, 50n, async () => undefined, { onCaughtUp: () => (caughtUp = true) });
    await waitFor(() => caughtUp);
    await sub.stop();
    expect(sub.position).toBe(50n);
  });

  it('stops after the event in hand', async () => {
    const source = new Source();
    let release!: () => void;
    const handled: bigint[] = [];
    const sub = new EsdbSubscription(() => source.asSubscription(), async () => 0n, decode, 0n, async (e: RecordedEvent) => {
      if (e.position === 10n) await new Promise<void>((r) => (release = r));
      handled.push(e.position);
    }, {});
    source.push(resolved(10n), resolved(20n));
    await waitFor(() => release !== undefined);
    const stopped = sub.stop();
    release();
    await stopped;
    expect(handled).toEqual([10n]);
    expect(sub.position).toBe(10n);
  });

  it('stops and reports when the handler throws, keeping the position of the last handled event', async () => {
    const source = new Source();
    let failure: unknown;
    const sub = new EsdbSubscription(() => source.asSubscription(), async () => 0n, decode, 0n, async (e) => {
      if (e.position === 20n) throw new Error('handler broke');
    }, { onError: (error) => (failure = error) });
    source.push(resolved(10n), resolved(20n), resolved(30n));
    await sub.done;
    expect((failure as Error).message).toBe('handler broke');
    expect(sub.position).toBe(10n);
  });

  it('reports a subscription the server ends, and a connection error, so the runner follows again from its checkpoint', async () => {
    for (const ending of ['end', new Error('14 UNAVAILABLE: connection lost')] as const) {
      const source = new Source();
      let failure: unknown;
      const sub = new EsdbSubscription(() => source.asSubscription(), async () => 0n, decode, 0n, async () => undefined, { onError: (error) => (failure = error) });
      source.push(resolved(10n), ending);
      await sub.done;
      expect(sub.position).toBe(10n);
      if (ending === 'end') expect(failure).toBeInstanceOf(SubscriptionEndedError);
      else expect(failure).toBe(ending);
    }
  });

  it('reports an event whose position it cannot represent, without handling it', async () => {
    const source = new Source();
    let failure: unknown;
    const handled: bigint[] = [];
    const sub = new EsdbSubscription(() => source.asSubscription(), async () => 0n, decode, 0n, async (e) => void handled.push(e.position), {
      onError: (error) => (failure = error),
    });
    source.push(resolved(10n), resolved(20n, 'tenant-t1', 25n));
    await sub.done;
    expect(handled).toEqual([10n]);
    expect(failure).toBeInstanceOf(UnrepresentablePositionError);
  });
});
