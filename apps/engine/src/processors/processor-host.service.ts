// Starts this instance's processors (when its roles include `processors`) and, on shutdown,
// lets each finish the event in hand and release its lease.
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import pg from 'pg';
import type { Logger } from 'pino';
import { EVENT_STORE, type EventStore } from '@lethe/eventstore';
import { CheckpointMoves, ProcessorRunner, type Processor, type ProcessorState } from '@lethe/processors';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine-config.js';
import { DATABASE, PG_POOL, type Database } from '../infrastructure/database.js';
import { ROOT_LOGGER } from '../logging/tokens.js';

/** Nest injection token for the list of processors the engine runs. */
export const PROCESSORS = Symbol('Processors');

@Injectable()
export class ProcessorHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runners: ProcessorRunner[] = [];

  constructor(
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(DATABASE) private readonly database: Database,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(PROCESSORS) private readonly processors: readonly Processor[],
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  get enabled(): boolean {
    return this.config.roles.has('processors');
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    const logger = this.logger.child({ component: 'processors' });
    const checkpointMoves = new CheckpointMoves(this.pool);
    for (const processor of this.processors) {
      const runner = new ProcessorRunner(this.pool, this.store, processor, {
        owner: this.config.instanceId,
        logger,
        directConnection: this.database.direct.client,
        skipFlushMs: this.config.processorSkipFlushMs,
        checkpointMoves,
      });
      runner.start();
      this.runners.push(runner);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
  }

  status(): { enabled: boolean; processors: { name: string; state: ProcessorState; position: bigint }[] } {
    return { enabled: this.enabled, processors: this.runners.map((r) => r.status) };
  }
}
