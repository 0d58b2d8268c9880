import { ClockMovedBackwardsError, ManualClock } from './manual-clock.js';
import { SystemClock } from './system-clock.js';

describe('ManualClock', () => {
  it('reports the instant it was set to and moves only forward', () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    clock.advance(1500);
    expect(clock.now().toISOString()).toBe('2026-01-01T00:00:01.500Z');
    clock.set(new Date('2026-02-01T00:00:00Z'));
    expect(clock.now().toISOString()).toBe('2026-02-01T00:00:00.000Z');
    expect(() => clock.set(new Date('2026-01-15T00:00:00Z'))).toThrow(ClockMovedBackwardsError);
    expect(clock.now().toISOString()).toBe('2026-02-01T00:00:00.000Z');
  });

  it('hands out copies, so a caller cannot move time by mutating a Date', () => {
    const clock = new ManualClock(new Date('2026-01-01T00:00:00Z'));
    clock.now().setFullYear(2030);
    expect(clock.now().getUTCFullYear()).toBe(2026);
  });
});

describe('SystemClock', () => {
  it('follows real time', () => {
    const before = Date.now();
    const seen = new SystemClock().now().getTime();
    expect(seen).toBeGreaterThanOrEqual(before);
    expect(seen).toBeLessThanOrEqual(Date.now());
  });
});
