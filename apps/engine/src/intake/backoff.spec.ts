import { BACKOFF_BASE_MS, BACKOFF_MAX_MS, backoffMs, pause } from './backoff.js';

describe('backoffMs', () => {
  it('does not wait before the first attempt', () => {
    expect(backoffMs(0)).toBe(0);
  });

  it('doubles from the base with each failure, jittered between half and all of the step', () => {
    expect(backoffMs(1, () => 0)).toBe(BACKOFF_BASE_MS / 2);
    expect(backoffMs(1, () => 1)).toBe(BACKOFF_BASE_MS);
    expect(backoffMs(3, () => 1)).toBe(BACKOFF_BASE_MS * 4);
  });

  it('never waits longer than the cap, however many failures', () => {
    expect(backoffMs(10, () => 1)).toBe(BACKOFF_MAX_MS);
    expect(backoffMs(10_000, () => 1)).toBe(BACKOFF_MAX_MS);
  });
});

describe('pause', () => {
  it('ends at once when aborted', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const paused = pause(60_000, abort.signal);
    abort.abort();
    await paused;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
