// When a failed delivery is tried again: exponential backoff with full jitter, capped, for a number
// of attempts that spans hours by default; after the last one the delivery is dead (parked for ops).

export interface RetryPolicy {
  /** Delay after the first failure. */
  readonly baseMs: number;
  /** No delay exceeds this. */
  readonly maxMs: number;
  /** Attempts in all, the first included; the last failure makes the delivery dead. */
  readonly maxAttempts: number;
}

/** 10 s doubling to an hour, 20 attempts: about 12 hours of retries before a dead letter. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseMs: 10_000, maxMs: 3_600_000, maxAttempts: 20 };

/**
 * The delay before the next attempt after `failures` failed ones, or 'dead' when none is left.
 * `random` in [0, 1) spreads retries of many deliveries that failed together (half fixed, half jitter).
 */
export function nextAttempt(policy: RetryPolicy, failures: number, random: number): { readonly delayMs: number } | 'dead' {
  if (failures >= policy.maxAttempts) return 'dead';
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(failures - 1, 40));
  return { delayMs: Math.round(ceiling / 2 + (ceiling / 2) * random) };
}

/** The longest a delivery can stay in retries (no jitter): what docs and ops quote. */
export function retrySpanMs(policy: RetryPolicy): number {
  let total = 0;
  for (let failures = 1; failures < policy.maxAttempts; failures++) total += Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(failures - 1, 40));
  return total;
}
