// Ticks the durable deadline poller on an interval (when this instance's roles include `poller`).
// The interval only wakes the poller; what is due lives in PostgreSQL (libs/scheduler).
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import pg from 'pg';
import type { Logger } from 'pino';
import { CLOCK, type Clock } from '@lethe/clock';
import { DeadlinePoller, type DeadlineHandlers, type FiredDeadline } from '@lethe/scheduler';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine-config.js';
import { PG_POOL } from '../infrastructure/database.js';
import { ROOT_LOGGER } from '../logging/tokens.js';

/** Nest injection token for the deadline handlers, by deadline kind. */
export const DEADLINE_HANDLERS = Symbol('DeadlineHandlers');

const INTERVAL_NAME = 'lethe-deadline-poller';

@Injectable()
export class DeadlineTicker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private poller: DeadlinePoller | undefined;
  private ticking: Promise<FiredDeadline[]> | undefined;

  constructor(
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DEADLINE_HANDLERS) private readonly handlers: DeadlineHandlers,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly registry: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.roles.has('poller')) return;
    const logger = this.logger.child({ component: 'deadlines' });
    this.poller = new DeadlinePoller(this.pool, this.clock, this.handlers, { logger });
    this.registry.addInterval(INTERVAL_NAME, setInterval(() => void this.tick(), this.config.deadlinePollMs));
  }

  /**
   * Fires whatever is due now; also called after the manual clock moves. Returns what this instance
   * fired meanwhile: by this drain, and by a drain already running when it was called.
   */
  async tick(): Promise<FiredDeadline[]> {
    if (!this.poller) return [];
    const fired: FiredDeadline[] = [];
    // One drain at a time per instance; a caller arriving meanwhile waits for it and drains again.
    while (this.ticking) fired.push(...(await this.ticking));
    let done!: (fired: FiredDeadline[]) => void;
    this.ticking = new Promise((resolve) => (done = resolve));
    const own: FiredDeadline[] = [];
    try {
      for (;;) {
        const result = await this.poller.tick();
        own.push(...result.firedDeadlines);
        fired.push(...result.firedDeadlines);
        if (result.fired + result.failed === 0) break;
      }
      return fired;
    } catch (error) {
      this.logger.warn({ component: 'deadlines', err: (error as Error).message }, 'deadline tick failed');
      return fired;
    } finally {
      this.ticking = undefined;
      done(own);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', INTERVAL_NAME)) this.registry.deleteInterval(INTERVAL_NAME);
    await this.poller?.stop();
  }
}
