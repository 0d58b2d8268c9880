// /healthz: the process is up. /readyz: this instance can do its job, each check listed by name:
//   database          a pooled query answers (DATABASE_URL)
//   directConnection  a session on LETHE_DIRECT_DATABASE_URL answers (leases and LISTEN live there)
//   migrations        the schema is the one this build expects
//   processors        (role `processors`) each processor runs here or is owned by a live instance,
//                     and none lags the log by more than LETHE_READY_MAX_LAG_MS
//   poller            (role `poller`) the deadline poller runs here: its last drain succeeded, and
//                     one ran within a few poll intervals (every instance with the role polls; there
//                     is no owner to defer to)
// Details carry states, positions and ages only: never URLs, host names or instance ids.
import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import pg from 'pg';
import { SystemClock } from '@lethe/clock';
import { pendingMigrations } from '@lethe/postgres';
import { EVENT_STORE, PostgresEventStore, type EventStore } from '@lethe/eventstore';
import { readProcessorOwnership } from '@lethe/processors';
import { ENGINE_CONFIG, type EngineConfig } from '../config/engine-config.js';
import { ENGINE_MIGRATIONS, PG_POOL } from '../infrastructure/database.js';
import { ProcessorHost } from '../processors/processor-host.service.js';
import { Answer, Problems, Public } from '../http/index.js';
import { EXAMPLES, liveAnswer, readyAnswer } from '../api/system.answers.js';
import { DirectConnectionCheck } from './direct-connection.check.js';
import { DeadlineTicker } from '../deadlines/deadline-ticker.service.js';

/** How long the poller may go without a drain before it counts as stopped: a few intervals, at least 10 s. */
export const pollerSilenceBoundMs = (pollMs: number): number => 3 * pollMs + 10_000;

/** How one processor stands, as /readyz shows it. */
export type ProcessorReadiness = 'running-here' | 'owned-elsewhere' | 'unowned';

@Public()
@Controller()
export class HealthController {
  // Real time, as the ticker records it: the engine's clock may be manual.
  private readonly wallClock = new SystemClock();

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(ENGINE_CONFIG) private readonly config: EngineConfig,
    private readonly processors: ProcessorHost,
    private readonly direct: DirectConnectionCheck,
    private readonly deadlines: DeadlineTicker,
  ) {}

  @Get('healthz')
  @Answer(200, liveAnswer, EXAMPLES.live, 'The process is up')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Answer(200, readyAnswer, EXAMPLES.ready, 'Every check of this instance passed (database, direct connection, schema, processors)')
  @Problems(503)
  @HealthCheck()
  ready() {
    return this.health.check([
      async () => {
        const check = this.indicators.check('database');
        try {
          await this.pool.query('select 1');
          return check.up();
        } catch {
          return check.down({ message: 'database unreachable' });
        }
      },
      async () => {
        const check = this.indicators.check('directConnection');
        return (await this.direct.alive()) ? check.up() : check.down({ message: 'no session on the direct connection (LETHE_DIRECT_DATABASE_URL)' });
      },
      async () => {
        const check = this.indicators.check('migrations');
        try {
          const pending = await pendingMigrations(this.pool, ENGINE_MIGRATIONS);
          return pending.length === 0 ? check.up({ applied: ENGINE_MIGRATIONS.length }) : check.down({ pending });
        } catch {
          return check.down({ message: 'migration state unreadable' });
        }
      },
      () => this.processorsCheck(),
      () => this.pollerCheck(),
    ]);
  }

  private pollerCheck() {
    const check = this.indicators.check('poller');
    if (!this.config.roles.has('poller')) return check.up({ enabled: false });
    const status = this.deadlines.status();
    if (!status.enabled) return check.down({ message: 'the deadline poller has not started' });
    const since = status.lastTickAt ?? status.startedAt;
    const sinceLastTickMs = since === null ? null : Math.max(0, this.wallClock.now().getTime() - since.getTime());
    const boundMs = pollerSilenceBoundMs(this.config.deadlinePollMs);
    const detail = { draining: status.draining, sinceLastTickMs, boundMs };
    if (status.lastError !== null) return check.down({ ...detail, lastError: status.lastError });
    if (!status.draining && (sinceLastTickMs === null || sinceLastTickMs > boundMs)) return check.down(detail);
    return check.up(detail);
  }

  private async processorsCheck() {
    const check = this.indicators.check('processors');
    const { enabled, processors } = this.processors.status();
    if (!enabled) return check.up({ enabled: false });
    const here = new Map(processors.filter((p) => p.state === 'running').map((p) => [p.name, p.position]));
    let owners;
    try {
      // A log outside this database (EventStoreDB) is asked for the lag through the port.
      const log = this.store instanceof PostgresEventStore ? undefined : this.store;
      owners = await readProcessorOwnership(this.pool, processors.map((p) => p.name), {
        positions: here,
        ...(log ? { log: { events: log, now: this.wallClock.now() } } : {}),
      });
    } catch {
      return check.down({ message: 'processor leases unreadable' });
    }
    const maxLagMs = this.config.readyMaxLagMs;
    let ready = true;
    const detail: Record<string, { state: ProcessorReadiness; position: string; lagMs: number }> = {};
    for (const owner of owners) {
      const state: ProcessorReadiness = here.has(owner.processor) ? 'running-here' : owner.ownedByLiveInstance ? 'owned-elsewhere' : 'unowned';
      if (state === 'unowned' || owner.lagMs > maxLagMs) ready = false;
      detail[owner.processor] = { state, position: owner.position.toString(), lagMs: owner.lagMs };
    }
    return ready ? check.up({ maxLagMs, ...detail }) : check.down({ maxLagMs, ...detail });
  }
}
