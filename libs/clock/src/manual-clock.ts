// Time that moves only when told to: tests, simulations and LETHE_CLOCK=manual.
// It never goes backwards, because deadlines already fired cannot un-fire.
import type { Clock } from './clock.js';

export class ClockMovedBackwardsError extends Error {
  constructor(readonly current: Date, readonly requested: Date) {
    super(`the manual clock cannot move backwards (now ${current.toISOString()}, requested ${requested.toISOString()})`);
    this.name = 'ClockMovedBackwardsError';
  }
}

export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date) {
    this.current = start.getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  set(instant: Date): void {
    if (instant.getTime() < this.current) throw new ClockMovedBackwardsError(this.now(), instant);
    this.current = instant.getTime();
  }

  advance(ms: number): void {
    this.set(new Date(this.current + ms));
  }
}
