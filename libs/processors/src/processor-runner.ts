// Runs one processor: wins the lease, follows the log from the checkpoint, and commits each
// event's writes together with the new checkpoint. A failing event is retried with backoff and
// parked as a dead letter after `maxAttempts`, so it neither disappears nor blocks the processor.
// Events outside the processor's interests are skipped without a transaction: the checkpoint passes
// them with the next handled event, or after SKIP_FLUSH_EVERY of them, or once the log has been
// quiet for `skipFlushMs` (a restart before that reads them again and skips them again).
// A processor with handleBatch (a projection) takes the events the log hands over together — a page
// read at once, e.g. the burst a busy second appends — in one transaction with one checkpoint move,
// instead of a transaction per event: three statements an event fewer for the processors that follow
// most of the log. A batch that fails is taken again one event at a time, so a failing event gets its
// retries and its dead letter alone, exactly as without batches.
import pg from 'pg';
import type { EventStore, RecordedEvent, Subscription } from '@lethe/eventstore';
import { inTransaction } from '@lethe/postgres';
import { CheckpointMoves } from './checkpoint-moves.js';
import { LEASE_STALE_AFTER_MS, ProcessorLease } from './processor-lease.js';
import { deliverable, silentLogger, type Delivered, type Interest, type Processor, type ProcessorLogger } from './processor.js';

/** Skipped events after which the checkpoint is moved past them even while the log is busy. */
const SKIP_FLUSH_EVERY = 500;
/** Events a batching processor commits in one transaction at most. */
const LIVE_BATCH_MAX = 200;

/** Events handed over but not yet committed (a batching processor), and the last position they pass. */
interface PendingBatch {
  readonly events: RecordedEvent[];
  readonly delivered: Delivered<readonly Interest[]>[];
  to: bigint;
}

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
  /** Shared by the runners of one instance, so their moves past skipped events go together. Default: the runner's own. */
  readonly checkpointMoves?: CheckpointMoves;
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
  private pending: PendingBatch | undefined;
  private pendingCommit: NodeJS.Immediate | undefined;
  /** A batch committed off the subscription's path failed: the subscription was stopped for it. */
  private batchFailure: unknown;
  /** Events were handed over and never committed: no checkpoint may move past them in this run of follow(). */
  private abandoned = false;
  private readonly lease: ProcessorLease;
  private readonly logger: ProcessorLogger;
  private readonly maxAttempts: number;
  private readonly checkpointMoves: CheckpointMoves;

  constructor(
    private readonly pool: pg.Pool,
    private readonly store: EventStore,
    private readonly processor: Processor,
    private readonly options: ProcessorRunnerOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.checkpointMoves = options.checkpointMoves ?? new CheckpointMoves(pool);
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
    this.pending = undefined;
    this.batchFailure = undefined;
    this.abandoned = false;
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
    // The events in hand are finished (committed) while the lease is held, as a single event would be.
    await this.exclusive(() => this.commitPending()).catch((error: unknown) => {
      this.abandoned = true;
      if (!(error instanceof StoppingError)) {
        this.logger.warn({ processor: this.processor.name, err: (error as Error).message }, 'could not commit the events in hand');
      }
    });
    await this.exclusive(() => this.flushSkipped()).catch((error: unknown) =>
      this.logger.warn({ processor: this.processor.name, err: (error as Error).message }, 'could not move the checkpoint past skipped events'),
    );
    failure ??= this.batchFailure;
    if (failure && !(failure instanceof StoppingError)) throw failure;
  }

  private async handle(event: RecordedEvent): Promise<void> {
    const delivered = deliverable(this.processor.interests, event);
    if (this.processor.handleBatch) return this.collect(event, delivered);
    if (!delivered) return this.skip(event.position);
    return this.handleOne(event, delivered);
  }

  /**
   * A batching processor's event: added to the batch in hand, committed with it once the subscription
   * has handed over what it read (the next turn of the event loop) or once LIVE_BATCH_MAX are in hand.
   */
  private async collect(event: RecordedEvent, delivered: Delivered<readonly Interest[]> | undefined): Promise<void> {
    if (this.abandoned || this.stopping || !this.lease.held) throw new StoppingError();
    if (!delivered && !this.pending) return this.skip(event.position);
    this.pending ??= { events: [], delivered: [], to: event.position };
    this.pending.to = event.position;
    if (delivered) {
      this.pending.events.push(event);
      this.pending.delivered.push(delivered);
    }
    if (this.pending.events.length >= LIVE_BATCH_MAX) return this.commitPending();
    this.pendingCommit ??= setImmediate(() => {
      this.pendingCommit = undefined;
      this.exclusive(() => this.commitPending()).catch((error: unknown) => {
        this.abandoned = true;
        this.batchFailure = error;
        void this.subscription?.stop();
      });
    });
  }

  /**
   * Commits the batch in hand in one transaction; a batch that fails is handled again one event at a
   * time. Whatever stops it midway leaves the rest uncommitted, and no checkpoint move of this run of
   * follow() passes them (the next run reads them again).
   */
  private async commitPending(): Promise<void> {
    if (this.pendingCommit) clearImmediate(this.pendingCommit);
    this.pendingCommit = undefined;
    const batch = this.pending;
    if (!batch) return;
    this.pending = undefined;
    try {
      await this.commitBatch(batch);
    } catch (error) {
      this.abandoned = true;
      throw error;
    }
  }

  private async commitBatch(batch: PendingBatch): Promise<void> {
    if (this.abandoned || !this.lease.held) throw new StoppingError();
    try {
      await this.inTransaction(batch.to, (tx) => this.processor.handleBatch!(batch.delivered, tx));
      return;
    } catch (error) {
      if (error instanceof FencedError) throw error;
      this.logger.warn(
        { processor: this.processor.name, from: batch.events[0].position.toString(), to: batch.to.toString(), err: (error as Error).message },
        'a batch of events failed; handling them one at a time',
      );
    }
    for (let i = 0; i < batch.events.length; i++) await this.handleOne(batch.events[i], batch.delivered[i]);
    if (batch.to > this.checkpoint) {
      this.skippedTo = batch.to;
      await this.flushSkipped();
    }
  }

  /** One event in its own transaction, retried with backoff, then parked as a dead letter. */
  private async handleOne(event: RecordedEvent, delivered: Delivered<readonly Interest[]>): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (this.stopping || !this.lease.held) throw new StoppingError();
      try {
        await this.inTransaction(event.position, (tx) => this.processor.handle(delivered, tx));
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
    await this.inTransaction(event.position, async (tx) => {
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

  /** Runs `work` and moves the checkpoint to `position`, in one transaction, fenced on the old value. */
  private async inTransaction(position: bigint, work: (tx: pg.PoolClient) => Promise<void>): Promise<void> {
    await inTransaction(this.pool, async (tx) => {
      await work(tx);
      const moved = await tx.query('update lethe_checkpoints set position = $3, updated_at = now() where processor = $1 and position = $2', [
        this.processor.name,
        this.checkpoint.toString(),
        position.toString(),
      ]);
      if (moved.rowCount !== 1) throw new FencedError(`checkpoint of ${this.processor.name} moved under this instance`);
    });
    this.checkpoint = position;
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
    if (to === undefined || !this.lease.held || this.abandoned) return;
    const moved = await this.checkpointMoves.move(this.processor.name, this.checkpoint, to);
    if (!moved) throw new FencedError(`checkpoint of ${this.processor.name} moved under this instance`);
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
