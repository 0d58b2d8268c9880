// What the fleet metrics read at each scrape, from the database every instance shares: the read
// models (CountFleetQuery), the compliance tally (CountComplianceQuery, cached: compliance-cache.ts),
// the processors' leases, checkpoints and dead letters, and the deadline backlog. Each source is read
// on its own, so one that fails leaves only its own metrics out.
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import pg from 'pg';
import { CLOCK, SystemClock, type Clock } from '@lethe/clock';
import { EVENT_STORE, PostgresEventStore, type EventStore } from '@lethe/eventstore';
import { CountComplianceQuery, CountFleetQuery, publicTimerKind } from '@lethe/lifecycle';
import { countDeliveries } from '@lethe/outbound';
import { countDeadLetters, eventsAfter, readProcessorOwnership, type Processor } from '@lethe/processors';
import { countActiveGrants } from '@lethe/readmodel';
import { readDeadlineBacklog, type DeadlineHandlers } from '@lethe/scheduler';
import { PG_POOL } from '../infrastructure/database.js';
import { PROCESSORS, ProcessorHost } from '../processors/processor-host.service.js';
import { DEADLINE_HANDLERS } from '../deadlines/deadline-ticker.service.js';
import { ComplianceCache } from './compliance-cache.js';
import type { EngineMetrics, FleetReadings, ProcessorReading } from './engine-metrics.js';

/** Nest injection token of the engine's EngineMetrics. */
export const ENGINE_METRICS = Symbol('EngineMetrics');

/** A pending timer due for longer than this counts as late (lethe_deadlines_late). */
export const DEADLINE_LATE_AFTER_MS = 60_000;

/** With a log outside PostgreSQL, a processor's event lag is counted up to this many. */
const LAG_EVENTS_CAP = 10_000;

@Injectable()
export class FleetReader implements OnModuleInit {
  private readonly compliance: ComplianceCache;

  constructor(
    @Inject(ENGINE_METRICS) private readonly metrics: EngineMetrics,
    private readonly queries: QueryBus,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PROCESSORS) private readonly processors: readonly Processor[],
    @Inject(DEADLINE_HANDLERS) private readonly deadlineHandlers: DeadlineHandlers,
    private readonly host: ProcessorHost,
  ) {
    this.compliance = new ComplianceCache(() => this.queries.execute(new CountComplianceQuery()), clock, new SystemClock());
  }

  onModuleInit(): void {
    this.metrics.readFleetFrom(() => this.read());
  }

  async read(): Promise<FleetReadings> {
    const [fleet, compliance, processors, deadlines, outbound] = await Promise.all([
      settle(this.readFleet()),
      settle(this.compliance.current()),
      settle(this.readProcessors()),
      settle(this.readDeadlines()),
      settle(countDeliveries(this.pool)),
    ]);
    return { fleet, compliance, processors, deadlines, outbound };
  }

  private async readFleet() {
    const [counts, activeGrants] = await Promise.all([this.queries.execute(new CountFleetQuery()), countActiveGrants(this.pool, this.clock.now())]);
    const now = this.clock.now().getTime();
    return { counts, activeGrants, nextDeadlineSeconds: counts.nearestShredDeadline === null ? null : (Date.parse(counts.nearestShredDeadline) - now) / 1000 };
  }

  private async readProcessors(): Promise<ProcessorReading[]> {
    const names = this.processors.map((p) => p.name);
    // Processors running here know a fresher position than their lease row (as /readyz reads them).
    const here = new Map(this.host.status().processors.filter((p) => p.state === 'running').map((p) => [p.name, p.position]));
    // PostgreSQL positions are consecutive but for holes, so the distance to the head counts events;
    // EventStoreDB's are byte offsets: its events are counted through the port, up to a cap.
    const log = this.store instanceof PostgresEventStore ? undefined : this.store;
    const [owners, head, dead] = await Promise.all([
      readProcessorOwnership(this.pool, names, { positions: here, ...(log ? { log: { events: log, now: new SystemClock().now() } } : {}) }),
      this.store.head(),
      countDeadLetters(this.pool),
    ]);
    return Promise.all(
      owners.map(async (o) => ({
        processor: o.processor,
        owned: o.ownedByLiveInstance,
        lagSeconds: o.lagMs / 1000,
        lagEvents: log ? await eventsAfter(log, o.position, LAG_EVENTS_CAP) : Number(head > o.position ? head - o.position : 0n),
        deadLetters: dead.get(o.processor) ?? 0,
      })),
    );
  }

  /** The backlog by the timers' public names (the `kind` label is the vocabulary of GET /v1/schedule). */
  private async readDeadlines() {
    const stored = await readDeadlineBacklog(this.pool, this.clock.now(), DEADLINE_LATE_AFTER_MS);
    const byKind = new Map<string, { due: number; late: number; failed: number }>();
    for (const [kind, n] of stored.byKind) {
      const name = publicTimerKind(kind);
      const sum = byKind.get(name) ?? { due: 0, late: 0, failed: 0 };
      byKind.set(name, { due: sum.due + n.due, late: sum.late + n.late, failed: sum.failed + n.failed });
    }
    return { backlog: { ...stored, byKind }, kinds: Object.keys(this.deadlineHandlers).map(publicTimerKind) };
  }
}

async function settle<T>(work: Promise<T>): Promise<T | Error> {
  try {
    return await work;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
