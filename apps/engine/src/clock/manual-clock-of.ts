// The clock routes exist only with LETHE_CLOCK=manual; a handler reached with another clock says so.
import type { Clock } from '@lethe/clock';
import { PersistedManualClock } from './persisted-manual-clock.js';

export class NotManualClockError extends Error {
  constructor() {
    super('the clock is not manual');
    this.name = 'NotManualClockError';
  }
}

/** The engine's clock as the persisted manual clock; NotManualClockError otherwise. */
export function manualClockOf(clock: Clock): PersistedManualClock {
  if (!(clock instanceof PersistedManualClock)) throw new NotManualClockError();
  return clock;
}
