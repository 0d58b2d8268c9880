// /healthz: the process is up. /readyz: it can do its job — database reachable, schema current,
// and, when this instance runs processors, each of them started (owning its lease or on standby).
import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import pg from 'pg';
import { pendingMigrations } from '@lethe/postgres';
import { ENGINE_MIGRATIONS, PG_POOL } from '../infrastructure/database.js';
import { ProcessorHost } from '../processors/processor-host.service.js';
import { Answer, Problems, Public } from '../http/index.js';
import { EXAMPLES, liveAnswer, readyAnswer } from '../api/system.answers.js';

@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    private readonly processors: ProcessorHost,
  ) {}

  @Get('healthz')
  @Answer(200, liveAnswer, EXAMPLES.live, 'The process is up')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Answer(200, readyAnswer, EXAMPLES.ready, 'Database reachable, schema current, processors started')
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
        const check = this.indicators.check('migrations');
        try {
          const pending = await pendingMigrations(this.pool, ENGINE_MIGRATIONS);
          return pending.length === 0 ? check.up({ applied: ENGINE_MIGRATIONS.length }) : check.down({ pending });
        } catch {
          return check.down({ message: 'migration state unreadable' });
        }
      },
      async () => {
        const check = this.indicators.check('processors');
        const { enabled, processors } = this.processors.status();
        if (!enabled) return check.up({ enabled: false });
        const stopped = processors.filter((p) => p.state === 'stopped');
        const detail = Object.fromEntries(processors.map((p) => [p.name, { state: p.state, position: p.position.toString() }]));
        return stopped.length === 0 ? check.up(detail) : check.down(detail);
      },
    ]);
  }
}
