export { type Processor, type ProcessorLogger, silentLogger } from './processor.js';
export { ProcessorRunner, type ProcessorRunnerOptions, type ProcessorState } from './processor-runner.js';
export { processorMigrations } from './migrations.js';
export { lowestCheckpoint } from './checkpoints.js';
