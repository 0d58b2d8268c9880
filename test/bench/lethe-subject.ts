// The same workloads through the store's public API.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { PostgresEventStore, Subscription } from '@lethe/eventstore';
import type { AppendOne } from './append-load.js';
import { EVENT_DATA, EVENT_METADATA, EVENT_TYPE } from './payload.js';

export function letheAppend(store: PostgresEventStore): AppendOne {
  return async (streamId, revision) => {
    await store.append(
      streamId,
      [{ id: randomUUID(), type: EVENT_TYPE, data: EVENT_DATA, metadata: EVENT_METADATA }],
      revision === 0n ? 'no-stream' : revision - 1n,
    );
  };
}

/**
 * Catch-up from the start of the log: the time from subscribe() until onCaughtUp fires, which
 * happens after the last stored event was handled. Answers events/s; checks it saw `expected`.
 */
export async function letheCatchUp(store: PostgresEventStore, expected: number): Promise<number> {
  let handled = 0;
  let subscription: Subscription | undefined;
  const start = performance.now();
  await new Promise<void>((resolve, reject) => {
    subscription = store.subscribe(
      0n,
      async () => {
        handled++;
      },
      { onCaughtUp: resolve, onError: reject },
    );
  });
  const seconds = (performance.now() - start) / 1000;
  await subscription?.stop();
  if (handled !== expected) throw new Error(`subscription handled ${handled} events before catching up, expected ${expected}`);
  return handled / seconds;
}
