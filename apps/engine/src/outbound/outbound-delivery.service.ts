// Runs the delivery dispatcher on instances with the `processors` role: each configured sink's queue
// (lethe_outbound_deliveries) is drained there, shared between instances by row locks. The same
// instances prune the outbox hourly (with or without sinks: the outbox is written either way), on the
// wall clock like delivery itself.
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import pg from 'pg';
import type { Logger } from 'pino';
import { killAt } from '@lethe/lifecycle';
import { DeliveryDispatcher, pruneOutbox } from '@lethe/outbound';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine-config.js';
import { PG_POOL } from '../infrastructure/database.js';
import { ROOT_LOGGER } from '../logging/tokens.js';
import { ENGINE_METRICS } from '../metrics/fleet-reader.js';
import type { EngineMetrics } from '../metrics/engine-metrics.js';
import { createSinks } from './outbound-sinks.js';

/** How often (ms, wall clock) an instance prunes the outbox; the first prune runs this long after boot. */
export const OUTBOX_PRUNE_EVERY_MS = 60 * 60 * 1000;

@Injectable()
export class OutboundDelivery implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private dispatcher: DeliveryDispatcher | undefined;
  private pruning: NodeJS.Timeout | undefined;
  private pruned: Promise<void> = Promise.resolve();

  constructor(
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(ENGINE_METRICS) private readonly metrics: EngineMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.roles.has('processors')) return;
    const logger = this.logger.child({ component: 'outbound' });
    this.pruning = setInterval(() => (this.pruned = this.prune(logger)), OUTBOX_PRUNE_EVERY_MS);
    this.pruning.unref();
    const sinks = createSinks(this.config.outbound, logger);
    if (sinks.length === 0) return;
    const crashAt = this.config.crashAt;
    this.dispatcher = new DeliveryDispatcher(this.pool, sinks, {
      retry: this.config.outbound.retry,
      logger,
      onOutcome: (kind, outcome) => this.metrics.outboundAttempts.inc({ sink_kind: kind, outcome }),
      ...(crashAt === 'outbound:stored' ? { beforeDeliver: () => killAt(crashAt)('outbound:stored') } : {}),
    });
    this.dispatcher.start();
    logger.info({ sinks: sinks.map((s) => s.name) }, 'outbound delivery started');
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.pruning);
    await this.pruned;
    await this.dispatcher?.stop();
  }

  private async prune(logger: Logger): Promise<void> {
    try {
      const dropped = await pruneOutbox(this.pool, this.config.outbound.retentionDays);
      if (dropped > 0) logger.info({ dropped, retentionDays: this.config.outbound.retentionDays }, 'outbox pruned');
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'outbox pruning failed; the next round tries again');
    }
  }
}
