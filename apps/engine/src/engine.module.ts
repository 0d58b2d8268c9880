// The engine's composition root: infrastructure built at boot (pool, event store, clock, logger)
// is handed in as values; the lifecycle comes in as LifecycleModule over the ports, and its
// processors and timer handlers are run by the ProcessorHost and the DeadlineTicker.
import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { TlsOptions } from 'node:tls';
import type pg from 'pg';
import type { Logger } from 'pino';
import { CLOCK, type Clock } from '@lethe/clock';
import { EVENT_STORE, type EventStore } from '@lethe/eventstore';
import type { Processor } from '@lethe/processors';
import { LIFECYCLE_DEADLINE_HANDLERS, LIFECYCLE_PROCESSORS, LifecycleModule, noCrash, type LifecyclePorts } from '@lethe/lifecycle';
import { EventTypeCountsProjection, readModelEntities } from '@lethe/readmodel';
import { ENGINE_CONFIG, type EngineConfig } from './config/engine-config.js';
import { DEADLINE_HANDLERS, DeadlineTicker } from './deadlines/deadline-ticker.service.js';
import { HealthController } from './health/health.controller.js';
import { DirectConnectionCheck } from './health/direct-connection.check.js';
import { DATABASE, PG_POOL, type Database } from './infrastructure/database.js';
import { ROOT_LOGGER } from './logging/tokens.js';
import { httpLoggerParams } from './logging/http-logging.js';
import { ProcessorHost, PROCESSORS } from './processors/processor-host.service.js';
import { AdminClockController } from './api/admin-clock.controller.js';
import { MoveClockHandler } from './clock/move-clock/move-clock.handler.js';
import { ReadClockHandler } from './clock/read-clock/read-clock.handler.js';
import { CertificateKeyController } from './api/certificate-key.controller.js';
import { ShredsController } from './api/shreds.controller.js';
import { TenantsController } from './api/tenants.controller.js';
import { KeysController } from './api/keys.controller.js';
import { ComplianceController } from './api/compliance.controller.js';
import { RejectedEventsController } from './api/rejected-events.controller.js';
import { StagingAssetsController } from './api/staging-assets.controller.js';
import { CalendarsController } from './api/calendars/calendars.controller.js';
import { AuditController } from './api/audit.controller.js';
import { ScheduleController } from './api/schedule.controller.js';
import { BreakGlassController } from './api/break-glass/break-glass.controller.js';
import { PrivilegedController } from './api/break-glass/privileged.controller.js';
import { httpProviders, JWT_VERIFIER, READ_MODEL_PROGRESS, type JwtVerifier, type ReadModelProgress } from './http/index.js';
import type { EngineMetrics } from './metrics/engine-metrics.js';
import { ENGINE_METRICS, FleetReader } from './metrics/fleet-reader.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { AmqpIntake, INTAKE_CRASH_HOOK } from './intake/amqp-intake.service.js';
import { OutboxProcessor } from '@lethe/outbound';
import { OutboundDelivery } from './outbound/outbound-delivery.service.js';
import { OutboundController } from './api/outbound/outbound.controller.js';
import { sinkSubscriptions } from './outbound/outbound-sinks.js';

export interface EngineRuntime {
  readonly config: EngineConfig;
  readonly database: Database;
  readonly pool: pg.Pool;
  readonly store: EventStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The ports the lifecycle runs on (the event store and clock above among them). */
  readonly lifecycle: LifecyclePorts;
  /** The Prometheus registry the ports are instrumented with (GET /metrics). */
  readonly metrics: EngineMetrics;
  /** LETHE_OIDC_*: checks the issuer's JWTs; absent without LETHE_OIDC_ISSUER. */
  readonly jwt?: JwtVerifier;
}

@Module({})
export class EngineModule {
  static forRuntime(runtime: EngineRuntime): DynamicModule {
    const controllers = engineControllers(runtime.config);
    return {
      module: EngineModule,
      imports: [
        LoggerModule.forRoot(httpLoggerParams(runtime.logger)),
        ScheduleModule.forRoot(),
        TerminusModule.forRoot({ logger: false }),
        TypeOrmModule.forRoot({
          type: 'postgres',
          // Pooled, like every query that needs no session (TypeORM uses unnamed statements).
          url: runtime.database.pooled.client.connectionString,
          ...(runtime.database.pooled.client.ssl ? { ssl: runtime.database.pooled.client.ssl as TlsOptions | true } : {}),
          entities: readModelEntities,
          synchronize: false,
          migrationsRun: false,
          extra: { max: 5 },
        }),
        LifecycleModule.forRoot(runtime.lifecycle),
      ],
      controllers,
      providers: [
        { provide: ENGINE_CONFIG, useValue: runtime.config },
        { provide: PG_POOL, useValue: runtime.pool },
        { provide: DATABASE, useValue: runtime.database },
        { provide: EVENT_STORE, useValue: runtime.store },
        { provide: CLOCK, useValue: runtime.clock },
        { provide: ROOT_LOGGER, useValue: runtime.logger },
        { provide: ENGINE_METRICS, useValue: runtime.metrics },
        FleetReader,
        {
          provide: PROCESSORS,
          useFactory: (lifecycle: readonly Processor[]): Processor[] => [
            new EventTypeCountsProjection(),
            ...lifecycle,
            new OutboxProcessor(sinkSubscriptions(runtime.config.outbound)) as unknown as Processor,
          ],
          inject: [LIFECYCLE_PROCESSORS],
        },
        { provide: READ_MODEL_PROGRESS, useFactory: (processors: readonly Processor[]) => readModelProgress(runtime.pool, processors), inject: [PROCESSORS] },
        { provide: DEADLINE_HANDLERS, useExisting: LIFECYCLE_DEADLINE_HANDLERS },
        ProcessorHost,
        OutboundDelivery,
        DirectConnectionCheck,
        DeadlineTicker,
        { provide: INTAKE_CRASH_HOOK, useValue: runtime.lifecycle.crash ?? noCrash },
        AmqpIntake,
        MoveClockHandler,
        ReadClockHandler,
        { provide: JWT_VERIFIER, useValue: runtime.jwt ?? null },
        ...httpProviders,
      ],
    };
  }
}

type ControllerClass = new (...args: never[]) => unknown;

/**
 * The routes of an instance. Every instance serves the probes and /metrics (a worker's own vault and
 * data-plane calls are measured only there); the /v1 API only with the `api` role, and the
 * time-control route only with the manual clock as well. The others answer 404.
 */
export function engineControllers(config: Pick<EngineConfig, 'roles' | 'clock'>): ControllerClass[] {
  const controllers: ControllerClass[] = [HealthController, MetricsController];
  if (!config.roles.has('api')) return controllers;
  controllers.push(TenantsController, KeysController, ShredsController, ComplianceController, CertificateKeyController, RejectedEventsController, StagingAssetsController, CalendarsController, AuditController, ScheduleController, OutboundController, BreakGlassController, PrivilegedController);
  if (config.clock.kind === 'manual') controllers.push(AdminClockController);
  return controllers;
}

/** The read models a read-your-writes request waits for: every projection (sagas are not read). */
function readModelProgress(pool: pg.Pool, processors: readonly Processor[]): ReadModelProgress {
  return { db: pool, projections: processors.filter((p) => p.name.startsWith('projection:')).map((p) => p.name) };
}
