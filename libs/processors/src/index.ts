export {
  deliverable,
  deliverTo,
  everyStream,
  on,
  type Delivered,
  type DeliveredBy,
  type ForeignEvent,
  type Interest,
  type Processor,
  type ProjectionRebuilder,
  type RecordedFacts,
  type ProcessorLogger,
  silentLogger,
} from './processor.js';
export { ProcessorRunner, type ProcessorRunnerOptions, type ProcessorState } from './processor-runner.js';
export { processorMigrations } from './migrations.js';
export { countDeadLetters } from './dead-letters.js';
export { readProcessorOwnership, lagInLog, eventsAfter, countLeaseHolders, type ProcessorOwnership } from './processor-ownership.js';
export { LEASE_STALE_AFTER_MS } from './processor-lease.js';
export { lowestCheckpoint } from './checkpoints.js';
export { CheckpointMoves } from './checkpoint-moves.js';
export {
  ProjectionLeasedError,
  RebuildFailedError,
  rebuildProjections,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildResult,
  type RebuildTarget,
} from './projection-rebuild.js';
