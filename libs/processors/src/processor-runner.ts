// Runs one processor: wins the lease, follows the log from the checkpoint, and commits each
// event's writes together with the new checkpoint. A failing event is retried with backoff and
// parked as a dead letter after `maxAttempts`, so it neither disappears nor blocks the processor.
// Events outside the processor's interests are skipped without a transaction: the checkpoint passes
// them with the next handled event, or after SKIP_FLUSH_EVERY of them, or once the log has been
// quiet for `skipFlushMs` (a restart before that reads them again and skips them again).
import pg from 'pg';
import type { EventStore, RecordedEvent, Subscription } from '@lethe/eventstore';
import { inTransaction } from '@lethe/postgres';
import { LEASE_STALE_AFTER_MS, ProcessorLease } from './processor-lease.js';
import { deliverable, silentLogger, type Processor, type ProcessorLogger } from './processor.js';

/** Skipped events after which the checkpoint is moved past them even while the log is busy. */
const SKIP_FLUSH_EVERY = 500;

export interface ProcessorRunnerOptions {
  /** Identifies this instance in the lease table and logs. */
  readonly owner: string;
  readonly maxAttempts?: number;
  readonly retryBaseMs?: number;
  readonly retryMaxMs?: number;
  /** How often a standby tries to take the lease. */
  readonly leaseRetryMs?: number;
  readonly heartbeatMs?: number;
  readonly staleAfterMs?: number;
  /** How long the log stays quiet before the checkpoint is moved past skipped events (default 100). */
  readonly skipFlushMs?: number;
  readonly logger?: ProcessorLogger;
  /** Where the lease's session lives: a direct connection, not a transaction-mode pooler. Default: the pool's settings. */
  readonly directConnection?: pg.ClientConfig;
  /** Called after an event is parked (for metrics). */
  readonly onDeadLetter?: (processor: string, event: RecordedEvent) => void;
}

export type ProcessorState = 'standby' | 'running' | 'stopped';

/** Another instance moved the checkpoint: this one no longer owns the processor. */
class FencedError extends Error {}
class StoppingError extends Error {}

export class ProcessorRunner {
  private state: ProcessorState = 'stopped';
  private stopping = false;
  private loop: Promise<void> | undefined;
  private subscription: Subscription | undefined;
  private wake: (() => void) | undefined;
  /** The committed checkpoint. */
  private checkpoint = 0n;
  /** The last skipped position the checkpoint has not passed yet. */
  private skippedTo: bigint | undefined;
  private skippedCount = 0;
  private skipFlushTimer: NodeJS.Timeout | undefined;
  /** Handling and checkpoint moves run one at a time (the quiet-log flush runs off a timer). */
  private serial: Promise<unknown> = Promise.resolve();
  private readonly lease: ProcessorLease;
  private readonly logger: ProcessorLogger;
  private readonly maxAttempts: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly store: EventStore,
    private readonly processor: Processor,
    private readonly options: ProcessorRunnerOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.lease = new ProcessorLease(pool, processor.name, {
      owner: options.owner,
      heartbeatMs: options.heartbeatMs ?? 2_000,
      staleAfterMs: options.staleAfterMs ?? LEASE_STALE_AFTER_MS,
      logger: this.logger,
      progress: () => this.progress,
      ...(options.directConnection ? { directConnection: options.directConnection } : {}),
    });
  }

  /** `position`: how far this instance got, handled or skipped (the checkpoint may trail skipped events). */
  get status(): { name: string; state: ProcessorState; position: bigint } {
    return { name: this.processor.name, state: this.state, position: this.progress };
  }

  private get progress(): bigint {
    return this.skippedTo !== undefined && this.skippedTo > this.checkpoint ? this.skippedTo : this.checkpoint;
  }

  start(): void {
    if (this.loop) return;
    this.stopping = false;
    this.state = 'standby';
    this.loop = this.run();
  }

  /** Finishes the event in hand, then releases the lease. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.subscription?.stop();
    await this.loop;
    this.loop = undefined;
    this.state = 'stopped';
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let acquired = false;
      try {
        acquired = await this.lease.tryAcquire();
      } catch (error) {
        this.logger.warn({ processor: this.processor.name, err: (error as Error).message }, 'lease attempt failed');
      }
      if (!acquired) {
        await this.sleep(this.options.leaseRetryMs ?? 1_000);
        continue;
      }
      try {
        await this.follow();
      } catch (error) {
        this.logger.error({ processor: this.processor.name, err: (error as Error).message }, 'processor stopped following the log');
        await this.sleep(this.options.retryBaseMs ?? 100);
      } finally {
        await this.lease.release();
        this.state = this.stopping ? 'stopped' : 'standby';
      }
    }
    await this.lease.close();
  }

  private async follow(): Promise<void> {
    await this.pool.query('insert into lethe_checkpoints (processor) values ($1) on conflict do nothing', [this.processor.name]);
    const res = await this.pool.query<{ position: string }>('select position from lethe_checkpoints where processor = $1', [this.processor.name]);
    this.checkpoint = BigInt(res.rows[0].position);
    this.state = 'running';
    this.logger.info({ processor: this.processor.name, position: this.checkpoint.toString() }, 'processor owns its lease');
    let failure: unknown;
    this.skippedTo = undefined;
    this.skippedCount = 0;
    const subscription = this.store.subscribe(this.checkpoint, (event) => this.exclusive(() => this.handle(event)), {
      onError: (error) => (failure = error),
    });
    this.subscription = subscription;
    // A stop() that ran while this was still reading its checkpoint found no subscription to stop:
    // stop this one now, or an idle log would keep it (and shutdown) waiting forever.
    if (this.stopping) await subscription.stop();
    await Promise.race([subscription.done, this.lease.lost]);
    await subscription.stop();
    this.subscription = undefined;
    await this.exclusive(() => this.flushSkipped()).catch((error: unknown) =>
      this.logger.warn({ processor: this.processor.name, err: (error as Error).message }, 'could not move the checkpoint past skipped events'),
    );
    if (failure && !(failure instanceof StoppingError)) throw failure;
  }

  private async handle(event: RecordedEvent): Promise<void> {
    const delivered = deliverable(this.processor.interests, event);
    if (!delivered) return this.skip(event.position);
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (this.stopping || !this.lease.held) throw new StoppingError();
      try {
        await this.inTransaction(event, (tx) => this.processor.handle(delivered, tx));
        return;
      } catch (error) {
        if (error instanceof FencedError) throw error;
        lastError = error;
        this.logger.warn(
          { processor: this.processor.name, position: event.position.toString(), eventType: event.type, attempt, err: (error as Error).message },
          'event handling failed; will retry',
        );
        if (attempt < this.maxAttempts) await this.sleep(this.backoff(attempt));
      }
    }
    await this.inTransaction(event, async (tx) => {
      await tx.query(
        `insert into lethe_dead_letters (processor, position, event_id, event_type, stream_id, attempts, last_error)
         values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing`,
        [this.processor.name, event.position.toString(), event.id, event.type, event.streamId, this.maxAttempts, errorText(lastError)],
      );
    });
    this.logger.error(
      { processor: this.processor.name, position: event.position.toString(), eventId: event.id, eventType: event.type, attempts: this.maxAttempts },
      'event parked as a dead letter',
    );
    this.options.onDeadLetter?.(this.processor.name, event);
  }

  /** Runs `work` and moves the checkpoint to the event, in one transaction, fenced on the old value. */
  private async inTransaction(event: RecordedEvent, work: (tx: pg.PoolClient) => Promise<void>): Promise<void> {
    await inTransaction(this.pool, async (tx) => {
      await work(tx);
      const moved = await tx.query('update lethe_checkpoints set position = $3, updated_at = now() where processor = $1 and position = $2', [
        this.processor.name,
        this.checkpoint.toString(),
        event.position.toString(),
      ]);
      if (moved.rowCount !== 1) throw new FencedError(`checkpoint of ${this.processor.name} moved under this instance`);
    });
    this.checkpoint = event.position;
    this.skippedTo = undefined;
    this.skippedCount = 0;
  }

  /** An event outside the interests: no transaction now; the checkpoint passes it later. */
  private async skip(position: bigint): Promise<void> {
    this.skippedTo = position;
    this.skippedCount++;
    if (this.skippedCount >= SKIP_FLUSH_EVERY) return this.flushSkipped();
    if (this.skipFlushTimer) clearTimeout(this.skipFlushTimer);
    this.skipFlushTimer = setTimeout(() => {
      this.skipFlushTimer = undefined;
      this.exclusive(() => this.flushSkipped()).catch((error: unknown) => {
        this.logger.warn({ processor: this.processor.name, err: (error as Error).message }, 'could not move the checkpoint past skipped events');
        void this.subscription?.stop();
      });
    }, this.options.skipFlushMs ?? 100);
    this.skipFlushTimer.unref();
  }

  /** Moves the checkpoint to the last skipped event, fenced on the committed value like a handled one. */
  private async flushSkipped(): Promise<void> {
    if (this.skipFlushTimer) clearTimeout(this.skipFlushTimer);
    this.skipFlushTimer = undefined;
    const to = this.skippedTo;
    if (to === undefined || !this.lease.held) return;
    const moved = await this.pool.query('update lethe_checkpoints set position = $3, updated_at = now() where processor = $1 and position = $2', [
      this.processor.name,
      this.checkpoint.toString(),
      to.toString(),
    ]);
    if (moved.rowCount !== 1) throw new FencedError(`checkpoint of ${this.processor.name} moved under this instance`);
    this.checkpoint = to;
    if (this.skippedTo === to) this.skippedTo = undefined;
    this.skippedCount = 0;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.serial.then(work);
    this.serial = run.catch(() => undefined);
    return run;
  }

  private backoff(attempt: number): number {
    const base = this.options.retryBaseMs ?? 100;
    const max = this.options.retryMaxMs ?? 5_000;
    return Math.min(max, base * 2 ** (attempt - 1));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.slice(0, 2000);
}
