// Catch-up then live delivery over readAll: page through the log, and when nothing is left, sleep
// until a notification or the poll interval, whichever comes first.
import type { EventHandler, RecordedEvent, SubscribeOptions, Subscription } from '../event-store.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PgNotifier } from './pg-notifier.js';

export interface PollingOptions extends SubscribeOptions {
  readonly batchSize: number;
  readonly pollIntervalMs: number;
  /** Real time (ms) to wait after a wake-up at the head before reading (0: read at once). */
  readonly gatherMs: number;
}

export class PollingSubscription implements Subscription {
  readonly done: Promise<void>;
  private current: bigint;
  private stopping = false;
  /** Aborted by stop(): ends a wait at once. A signal, not a promise: each wait removes its listener again. */
  private readonly stopController = new AbortController();

  constructor(
    /** A page after `after`; `seen` is the notifier's counter taken just before (see PostgresEventStore.sharedPage). */
    private readonly read: (after: bigint, limit: number, seen: number) => Promise<{ events: RecordedEvent[]; blocked: boolean }>,
    private readonly notifier: PgNotifier,
    after: bigint,
    private readonly handler: EventHandler,
    private readonly options: PollingOptions,
  ) {
    this.current = after;
    this.done = this.run();
  }

  get position(): bigint {
    return this.current;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopController.abort();
    await this.done;
  }

  private async run(): Promise<void> {
    let caughtUp = false;
    let holeWaitMs = 1;
    try {
      while (!this.stopping) {
        const seen = this.notifier.seen;
        const { events: batch, blocked } = await this.read(this.current, this.options.batchSize, seen);
        for (const event of batch) {
          if (this.stopping) return;
          await this.handler(event);
          this.current = event.position;
        }
        if (batch.length === this.options.batchSize) continue;
        if (blocked) {
          // Stopped at a hole that an in-flight append may fill, or that will prove final once the
          // transactions around it end: look again soon, without waiting for a notification.
          holeWaitMs = Math.min(holeWaitMs * 2, 100);
          await this.notifier.wait(Number.MAX_SAFE_INTEGER, holeWaitMs, this.stopController.signal);
          continue;
        }
        holeWaitMs = 1;
        if (!caughtUp) {
          caughtUp = true;
          this.options.onCaughtUp?.();
        }
        // A page short of batchSize ended at the head as it stood when read: what was appended since
        // then was announced after `seen` was taken, so the wait returns at once for it, and nothing
        // else needs another read (one empty read per processor per wake-up, on a busy log).
        await this.notifier.wait(seen, this.options.pollIntervalMs, this.stopController.signal);
        // Woken from the head: let the burst that woke it land before reading, so a busy log is read
        // (and a batching processor commits) a page at a time instead of an event at a time.
        // (Rejects only when stop() aborts it.)
        if (this.options.gatherMs > 0 && !this.stopping) await sleep(this.options.gatherMs, undefined, { signal: this.stopController.signal }).catch(() => undefined);
      }
    } catch (error) {
      this.stopping = true;
      if (this.options.onError) this.options.onError(error);
      else throw error;
    }
  }
}
