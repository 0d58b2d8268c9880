import { DEFAULT_RETRY_POLICY, nextAttempt, retrySpanMs } from './retry-policy.js';

describe('nextAttempt', () => {
  const policy = { baseMs: 1_000, maxMs: 60_000, maxAttempts: 5 };

  it('doubles the delay after each failure, within half of the ceiling to the ceiling', () => {
    expect(nextAttempt(policy, 1, 0)).toEqual({ delayMs: 500 });
    expect(nextAttempt(policy, 1, 0.999999)).toEqual({ delayMs: 1_000 });
    expect(nextAttempt(policy, 3, 0.999999)).toEqual({ delayMs: 4_000 });
  });

  it('never waits longer than the cap', () => {
    expect(nextAttempt({ ...policy, maxAttempts: 100 }, 60, 0.999999)).toEqual({ delayMs: 60_000 });
  });

  it('gives up after the last attempt: the delivery is dead', () => {
    expect(nextAttempt(policy, 4, 0.5)).not.toBe('dead');
    expect(nextAttempt(policy, 5, 0.5)).toBe('dead');
  });

  it('the default keeps retrying for hours before a dead letter', () => {
    expect(retrySpanMs(DEFAULT_RETRY_POLICY)).toBeGreaterThan(6 * 3_600_000);
    expect(retrySpanMs(DEFAULT_RETRY_POLICY)).toBeLessThan(24 * 3_600_000);
  });
});
