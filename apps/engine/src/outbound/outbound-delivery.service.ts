// Runs the delivery dispatcher on instances with the `processors` role: each configured sink's queue
// (lethe_outbound_deliveries) is drained there, shared between instances by row locks.
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import pg from 'pg';
import type { Logger } from 'pino';
import { killAt } from '@lethe/lifecycle';
import { DeliveryDispatcher } from '@lethe/outbound';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine-config.js';
import { PG_POOL } from '../infrastructure/database.js';
import { ROOT_LOGGER } from '../logging/tokens.js';
import { ENGINE_METRICS } from '../metrics/fleet-reader.js';
import type { EngineMetrics } from '../metrics/engine-metrics.js';
import { createSinks } from './outbound-sinks.js';

@Injectable()
export class OutboundDelivery implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private dispatcher: DeliveryDispatcher | undefined;

  constructor(
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(ENGINE_METRICS) private readonly metrics: EngineMetrics,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.roles.has('processors')) return;
    const logger = this.logger.child({ component: 'outbound' });
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
    await this.dispatcher?.stop();
  }
}
