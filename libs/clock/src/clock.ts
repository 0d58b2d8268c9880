/** The only way the engine learns the current time; tests and simulations swap in a ManualClock. */
export interface Clock {
  now(): Date;
}

/** Nest injection token for the Clock port. */
export const CLOCK = Symbol('Clock');
