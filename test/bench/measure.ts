// Measures the raw baseline and Lethe on the same workload: one warm-up pass each, then `runs`
// interleaved passes (order alternating, so drift of a noisy machine hits both sides alike).

/** One pass of a workload; answers events/s. `warmup` passes may be shorter. */
export type Pass = (warmup: boolean) => Promise<number>;

export interface Sample {
  readonly median: number;
  readonly runs: readonly number[];
}

export interface PairedSample {
  readonly raw: Sample;
  readonly lethe: Sample;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function measurePair(
  raw: Pass,
  lethe: Pass,
  options: { runs: number; beforeEach?: () => Promise<void>; log?: (line: string) => void },
): Promise<PairedSample> {
  const before = options.beforeEach ?? (async () => undefined);
  const log = options.log ?? (() => undefined);
  await before();
  log(`warm-up raw ${fmt(await raw(true))}`);
  await before();
  log(`warm-up Lethe ${fmt(await lethe(true))}`);
  const rawRuns: number[] = [];
  const letheRuns: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    const order: Array<[Pass, number[], string]> = [
      [raw, rawRuns, 'raw'],
      [lethe, letheRuns, 'Lethe'],
    ];
    if (i % 2 === 1) order.reverse();
    for (const [pass, into, name] of order) {
      await before();
      const rate = await pass(false);
      into.push(rate);
      log(`run ${i + 1} ${name} ${fmt(rate)}`);
    }
  }
  return {
    raw: { median: median(rawRuns), runs: rawRuns },
    lethe: { median: median(letheRuns), runs: letheRuns },
  };
}

export function fmt(eventsPerSecond: number): string {
  return `${Math.round(eventsPerSecond).toLocaleString('en-US')} ev/s`;
}
