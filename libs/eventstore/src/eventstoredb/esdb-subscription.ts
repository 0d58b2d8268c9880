// The port's subscription over a catch-up subscription to $all: one event at a time (the async
// iterator holds the server's stream back while the handler works), never the same position twice.
// "Caught up" is reached once the handler has passed the head of Lethe's part of $all as it stood
// at the start: the server's own caught-up signal can arrive while earlier events still wait in
// the client's buffer, which is not what onCaughtUp promises.
// A subscription the server or the network ends is an error, reported like a handler's: the
// processor runner then follows the log again from its committed checkpoint.
import { CancelledError, type AllStreamResolvedEvent, type AllStreamSubscription } from '@eventstore/db-client';
import type { EventHandler, RecordedEvent, SubscribeOptions, Subscription } from '../event-store.js';

export class SubscriptionEndedError extends Error {
  constructor() {
    super('the EventStoreDB subscription to $all ended without being stopped (server or connection lost)');
    this.name = 'SubscriptionEndedError';
  }
}

export class EsdbSubscription implements Subscription {
  readonly done: Promise<void>;
  private current: bigint;
  private stopping = false;
  private source: AllStreamSubscription | undefined;

  constructor(
    private readonly open: () => AllStreamSubscription,
    private readonly head: () => Promise<bigint>,
    private readonly decode: (resolved: AllStreamResolvedEvent) => RecordedEvent | undefined,
    after: bigint,
    private readonly handler: EventHandler,
    private readonly options: SubscribeOptions,
  ) {
    this.current = after;
    this.done = this.run();
  }

  get position(): bigint {
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.source?.unsubscribe().catch(() => undefined);
    await this.done;
  }

  private async run(): Promise<void> {
    let caughtUp = false;
    const reached = (position: bigint, target: bigint) => {
      if (caughtUp || position < target) return;
      caughtUp = true;
      this.options.onCaughtUp?.();
    };
    try {
      const target = await this.head();
      reached(this.current, target);
      if (this.stopping) return;
      this.source = this.open();
      for await (const resolved of this.source) {
        if (this.stopping) return;
        const event = this.decode(resolved);
        if (!event || event.position <= this.current) continue;
        await this.handler(event);
        this.current = event.position;
        reached(event.position, target);
      }
      if (!this.stopping) throw new SubscriptionEndedError();
    } catch (error) {
      if (this.stopping && error instanceof CancelledError) return;
      this.stopping = true;
      if (this.options.onError) this.options.onError(error);
      else throw error;
    } finally {
      await this.source?.unsubscribe().catch(() => undefined);
    }
  }
}
