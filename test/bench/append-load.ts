// Drives single-event appends for a fixed time: `writers` concurrent loops, each on its own
// streams of EVENTS_PER_STREAM events, tracking the next revision itself.
import { performance } from 'node:perf_hooks';

/** Appends one event at `revision` (0 = the stream's first event) to `streamId`. */
export type AppendOne = (streamId: string, revision: bigint) => Promise<void>;

export const EVENTS_PER_STREAM = 10;

let passNo = 0;

/** Runs the load for `durationMs` and answers events/s over the time until every writer stopped. */
export async function appendPass(append: AppendOne, writers: number, durationMs: number): Promise<number> {
  const pass = ++passNo;
  const start = performance.now();
  const deadline = start + durationMs;
  const counts = await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      let appended = 0;
      for (let stream = 0; performance.now() < deadline; stream++) {
        // Same-length ids on both sides; unique across passes.
        const streamId = `bench-p${String(pass).padStart(3, '0')}-w${w}-s${String(stream).padStart(7, '0')}`;
        for (let revision = 0n; revision < BigInt(EVENTS_PER_STREAM) && performance.now() < deadline; revision++) {
          await append(streamId, revision);
          appended++;
        }
      }
      return appended;
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return counts.reduce((a, b) => a + b, 0) / seconds;
}
