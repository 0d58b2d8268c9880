// Delivers each sink's pending rows: one loop per sink, so a slow or failing sink holds back only its
// own queue. Per tenant, a sink gets events strictly in position order: only a tenant's oldest pending
// row (its head) is ever taken, and the next waits until the head is delivered or dead. Heads of
// different tenants go out side by side.
//
// Claiming is a row lock (`for update skip locked`) held while the delivery runs, in the transaction
// that records its outcome: several instances share the work without taking the same row, and a
// process killed mid-delivery leaves the row pending, untouched, for the next attempt (at least once;
// the event id lets consumers drop the duplicate).
import pg from 'pg';
import { inTransaction } from '@lethe/postgres';
import type { ProcessorLogger } from '@lethe/processors';
import type { IntegrationEvent } from '../contract/integration-event.js';
import { DEFAULT_RETRY_POLICY, nextAttempt, type RetryPolicy } from './retry-policy.js';
import { DeliveryError, type Sink, type SinkKind } from './sink.js';

export type DeliveryOutcome = 'delivered' | 'failed' | 'dead';

export interface DispatcherOptions {
  readonly retry?: RetryPolicy;
  /** How often an idle sink looks for due rows. */
  readonly pollMs?: number;
  /** Tenant heads delivered side by side per sink. */
  readonly batchSize?: number;
  readonly logger?: ProcessorLogger;
  /** Called for each attempt's outcome (metrics). */
  readonly onOutcome?: (kind: SinkKind, outcome: DeliveryOutcome) => void;
  /** Called with each claimed batch before anything is sent (a test's crash point). */
  readonly beforeDeliver?: () => void;
  /** Randomness for the retry jitter (tests pin it). */
  readonly random?: () => number;
}

interface Claimed {
  readonly event_id: string;
  readonly attempts: number;
  readonly body: string;
}

export class DeliveryDispatcher {
  private stopping = false;
  private readonly loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly sinks: readonly Sink[],
    private readonly options: DispatcherOptions = {},
  ) {}

  start(): void {
    if (this.loops.length > 0) return;
    this.stopping = false;
    for (const sink of this.sinks) this.loops.push(this.loop(sink));
  }

  /** Finishes the batches in hand, then closes the sinks. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of this.wakers) wake();
    await Promise.all(this.loops);
    this.loops.length = 0;
    await Promise.all(this.sinks.map((s) => s.close().catch(() => undefined)));
  }

  private async loop(sink: Sink): Promise<void> {
    while (!this.stopping) {
      let handled = 0;
      try {
        handled = await this.deliverDue(sink);
      } catch (error) {
        this.options.logger?.warn({ sink: sink.name, err: (error as Error).message }, 'outbound delivery round failed; will retry');
      }
      if (handled === 0) await this.sleep(this.options.pollMs ?? 250);
    }
  }

  /** One round for `sink`: claims the due tenant heads, delivers them, records each outcome. */
  async deliverDue(sink: Sink): Promise<number> {
    return inTransaction(this.pool, async (tx) => {
      const claimed = await tx.query<Claimed>(
        `select d.event_id, d.attempts, e.body
           from lethe_outbound_deliveries d join lethe_outbound_events e on e.id = d.event_id
          where d.sink = $1 and d.state = 'pending' and d.next_attempt_at <= now()
            and not exists (select 1 from lethe_outbound_deliveries p
                             where p.sink = d.sink and p.tenant_id = d.tenant_id and p.state = 'pending' and p.position < d.position)
          order by d.next_attempt_at, d.position
          limit $2
          for update of d skip locked`,
        [sink.name, this.options.batchSize ?? 16],
      );
      if (claimed.rowCount === 0) return 0;
      this.options.beforeDeliver?.();
      const outcomes = await Promise.all(
        claimed.rows.map(async (row) => {
          try {
            await sink.deliver(JSON.parse(row.body) as IntegrationEvent, row.body);
            return { row, error: undefined };
          } catch (error) {
            return { row, error: error instanceof DeliveryError ? error.message : `${(error as Error).name ?? 'Error'}: ${(error as Error).message}` };
          }
        }),
      );
      for (const { row, error } of outcomes) await this.record(tx, sink, row, error);
      return claimed.rowCount ?? 0;
    });
  }

  private async record(tx: pg.PoolClient, sink: Sink, row: Claimed, error: string | undefined): Promise<void> {
    const attempts = row.attempts + 1;
    if (error === undefined) {
      await tx.query(
        `update lethe_outbound_deliveries set state = 'delivered', attempts = $3, delivered_at = now(), last_error = null where sink = $1 and event_id = $2`,
        [sink.name, row.event_id, attempts],
      );
      this.options.onOutcome?.(sink.kind, 'delivered');
      return;
    }
    const next = nextAttempt(this.options.retry ?? DEFAULT_RETRY_POLICY, attempts, (this.options.random ?? Math.random)());
    const lastError = error.slice(0, 500);
    if (next === 'dead') {
      await tx.query(
        `update lethe_outbound_deliveries set state = 'dead', attempts = $3, dead_at = now(), last_error = $4 where sink = $1 and event_id = $2`,
        [sink.name, row.event_id, attempts, lastError],
      );
      this.options.logger?.error({ sink: sink.name, eventId: row.event_id, attempts, err: lastError }, 'outbound delivery is dead: retries exhausted');
      this.options.onOutcome?.(sink.kind, 'dead');
      return;
    }
    await tx.query(
      `update lethe_outbound_deliveries
          set attempts = $3, last_error = $4, next_attempt_at = now() + make_interval(secs => $5::double precision / 1000)
        where sink = $1 and event_id = $2`,
      [sink.name, row.event_id, attempts, lastError, next.delayMs],
    );
    this.options.logger?.warn({ sink: sink.name, eventId: row.event_id, attempts, retryInMs: next.delayMs, err: lastError }, 'outbound delivery failed; will retry');
    this.options.onOutcome?.(sink.kind, 'failed');
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }
}
