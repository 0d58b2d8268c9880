// The compliance tally walks every live key ring (CountComplianceQuery): too slow to run at every
// scrape of a large fleet, so /metrics keeps the last tally while it is younger than maxAgeMs, both in
// real time and on the engine's clock (a manual clock moved forward makes it stale at once). A stale
// tally is recomputed in the background; a scrape waits for it at most waitMs and otherwise answers
// the previous one (its age is a metric), so a scrape never times out on it.
import type { Clock } from '@lethe/clock';
import type { ComplianceTally } from '@lethe/lifecycle';

export interface ComplianceCacheOptions {
  /** Default 30 s. */
  readonly maxAgeMs?: number;
  /** How long a scrape waits for a recomputation before answering the previous tally. Default 2 s. */
  readonly waitMs?: number;
}

export interface AgedTally {
  readonly tally: ComplianceTally;
  readonly ageSeconds: number;
}

export class ComplianceCache {
  private last: { readonly tally: ComplianceTally; readonly madeAtMs: number } | undefined;
  private running: Promise<void> | undefined;
  private lastError: Error | undefined;
  private readonly maxAgeMs: number;
  private readonly waitMs: number;

  /** `engineClock`: what the tally is judged at; `wallClock`: real time, for its age. */
  constructor(
    private readonly compute: () => Promise<ComplianceTally>,
    private readonly engineClock: Clock,
    private readonly wallClock: Clock,
    options: ComplianceCacheOptions = {},
  ) {
    this.maxAgeMs = options.maxAgeMs ?? 30_000;
    this.waitMs = options.waitMs ?? 2_000;
  }

  /** The freshest tally there is (null before the first one is done); rejects when the last computation failed. */
  async current(): Promise<AgedTally | null> {
    if (!this.fresh()) {
      this.running ??= this.compute()
        .then((tally) => {
          this.last = { tally, madeAtMs: this.wallClock.now().getTime() };
          this.lastError = undefined;
        })
        .catch((error: unknown) => {
          this.lastError = error instanceof Error ? error : new Error(String(error));
        })
        .finally(() => (this.running = undefined));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.running, new Promise((resolve) => (timer = setTimeout(resolve, this.waitMs)))]);
      clearTimeout(timer);
    }
    if (this.lastError) throw this.lastError;
    if (!this.last) return null;
    return { tally: this.last.tally, ageSeconds: Math.max(0, this.wallClock.now().getTime() - this.last.madeAtMs) / 1000 };
  }

  private fresh(): boolean {
    if (!this.last) return false;
    const wallAge = this.wallClock.now().getTime() - this.last.madeAtMs;
    const engineAge = this.engineClock.now().getTime() - Date.parse(this.last.tally.at);
    return wallAge < this.maxAgeMs && engineAge >= 0 && engineAge < this.maxAgeMs;
  }
}
