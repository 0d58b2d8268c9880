import type pg from 'pg';
import type { RecordedEvent } from '@lethe/eventstore';

/**
 * Something that follows the global log: a projection, a saga's inbox. `handle` runs inside the
 * transaction that also moves the processor's checkpoint, so its PostgreSQL writes happen exactly
 * once. Effects outside PostgreSQL must be idempotent (use the event id as the message id).
 */
export interface Processor {
  /** Stable name: it keys the checkpoint, the lease and dead letters. */
  readonly name: string;
  handle(event: RecordedEvent, tx: pg.PoolClient): Promise<void>;
}

/** The subset of pino's logger the processors use. */
export interface ProcessorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: ProcessorLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };
