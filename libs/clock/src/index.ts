export { type Clock, CLOCK } from './clock.js';
export { SystemClock } from './system-clock.js';
export { ManualClock, ClockMovedBackwardsError } from './manual-clock.js';
