// The log positions a unit of work appended, without threading them back through every handler:
// an HTTP write answers the position of its own last event (Lethe-Position), which its caller sends
// back to read what it wrote, instead of asking the log for its head after every write.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AppendResult } from './event-store.js';

const scope = new AsyncLocalStorage<{ highest: bigint | undefined }>();

/**
 * Runs `work` and returns its result with the highest global position that the appends made within
 * it (any EventStore adapter) wrote or, for a replay, found already stored; undefined when it appended
 * nothing. Work started from it (awaited or not) counts while it runs within the call.
 */
export async function trackingAppends<T>(work: () => Promise<T>): Promise<{ readonly result: T; readonly highestAppended: bigint | undefined }> {
  const appended = { highest: undefined as bigint | undefined };
  const result = await scope.run(appended, work);
  return { result, highestAppended: appended.highest };
}

/** Called by an adapter with each append's result (returned unchanged): notes its positions in the current trackingAppends scope, if any. */
export function noteAppended(result: AppendResult): AppendResult {
  const appended = scope.getStore();
  if (appended !== undefined) for (const p of result.positions) if (appended.highest === undefined || p > appended.highest) appended.highest = p;
  return result;
}
