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
  type RecordedFacts,
  type ProcessorLogger,
  silentLogger,
} from './processor.js';
export { ProcessorRunner, type ProcessorRunnerOptions, type ProcessorState } from './processor-runner.js';
export { processorMigrations } from './migrations.js';
export { lowestCheckpoint } from './checkpoints.js';
