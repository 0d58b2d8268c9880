// The engine's Prometheus registry (prom-client): the process defaults, this instance's own
// instruments (vault, data plane, read probe, HTTP) and the fleet metrics, which are read from the
// database at each scrape. One registry per engine (tests start several in one process).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ComplianceTally, FleetCounts } from '@lethe/lifecycle';
import type { DeadlineBacklog } from '@lethe/scheduler';
import { DEFAULT_METRICS_PREFIX, INTAKE_KINDS, INTAKE_OUTCOMES, METRICS, type MetricSpec } from './metric-catalogue.js';
import { DATA_PLANE_OPERATIONS, FAILURE_REASONS, PROBE_OPERATION, PROBE_OUTCOMES, VAULT_OPERATIONS } from './port-operations.js';

/** Seconds. Vault and data-plane calls are milliseconds locally, seconds for a remote KMS in trouble. */
const CALL_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One processor as the fleet metrics show it. */
export interface ProcessorReading {
  readonly processor: string;
  readonly owned: boolean;
  readonly lagSeconds: number;
  readonly lagEvents: number;
  readonly deadLetters: number;
}

/**
 * What one scrape read from the database. Each source is its readings, or the error that kept them
 * from being read (its metrics are then left out and lethe_metrics_source_up says 0).
 */
export interface FleetReadings {
  readonly fleet: { readonly counts: FleetCounts; readonly nextDeadlineSeconds: number | null; readonly activeGrants: number } | Error;
  /** null: no figures yet (the first computation is still running). */
  readonly compliance: { readonly tally: ComplianceTally; readonly ageSeconds: number } | null | Error;
  readonly processors: readonly ProcessorReading[] | Error;
  readonly deadlines: { readonly backlog: DeadlineBacklog; readonly kinds: readonly string[] } | Error;
  /** Delivery rows by sink kind and state (pending, dead). */
  readonly outbound: readonly { readonly sinkKind: string; readonly state: string; readonly n: number }[] | Error;
}

export type FleetSource = () => Promise<FleetReadings>;

/** The instruments of one port (vault, data plane): a duration histogram and an error counter by operation. */
export interface PortInstruments {
  readonly duration: Histogram<'operation'>;
  readonly errors: Counter<'operation' | 'reason'>;
}

export class EngineMetrics {
  readonly registry = new Registry();
  readonly vault: PortInstruments;
  readonly dataPlane: PortInstruments;
  readonly probeOutcomes: Counter<'outcome'>;
  readonly http: Histogram<'method' | 'route' | 'status'>;
  readonly intakeMessages: Counter<'kind' | 'outcome'>;
  readonly outboundAttempts: Counter<'sink_kind' | 'outcome'>;
  private source: FleetSource | undefined;
  /** The readings of the scrape in progress: every fleet metric's collect() of one scrape shares them. */
  private reading: Promise<FleetReadings | undefined> | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: DEFAULT_METRICS_PREFIX });
    const registers = [this.registry];
    this.vault = {
      duration: new Histogram({ ...base(METRICS.vaultDuration), buckets: CALL_BUCKETS, registers }),
      errors: new Counter({ ...base(METRICS.vaultErrors), registers }),
    };
    this.dataPlane = {
      duration: new Histogram({ ...base(METRICS.dataPlaneDuration), buckets: CALL_BUCKETS, registers }),
      errors: new Counter({ ...base(METRICS.dataPlaneErrors), registers }),
    };
    this.probeOutcomes = new Counter({ ...base(METRICS.probeOutcomes), registers });
    this.http = new Histogram({ ...base(METRICS.httpDuration), buckets: HTTP_BUCKETS, registers });
    this.outboundAttempts = new Counter({ ...base(METRICS.outboundAttempts), registers });
    for (const sink_kind of METRICS.outboundAttempts.values.sink_kind) {
      for (const outcome of METRICS.outboundAttempts.values.outcome) this.outboundAttempts.inc({ sink_kind, outcome }, 0);
    }
    // Every port series from the start, at 0: the first failure is then an increase, not a new series.
    for (const [port, operations] of [[this.vault, VAULT_OPERATIONS], [this.dataPlane, [...DATA_PLANE_OPERATIONS, PROBE_OPERATION]]] as const) {
      for (const operation of operations) {
        port.duration.zero({ operation });
        for (const reason of FAILURE_REASONS) port.errors.inc({ operation, reason }, 0);
      }
    }
    for (const outcome of PROBE_OUTCOMES) this.probeOutcomes.inc({ outcome }, 0);
    this.intakeMessages = new Counter({ ...base(METRICS.intakeMessages), registers });
    for (const kind of INTAKE_KINDS) for (const outcome of INTAKE_OUTCOMES) this.intakeMessages.inc({ kind, outcome }, 0);
    this.registerFleetMetrics();
  }

  /** Where the fleet metrics read from at each scrape (set once the database and the buses exist). */
  readFleetFrom(source: FleetSource): void {
    this.source = source;
  }

  /** The exposition text (Prometheus text format 0.0.4). */
  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric name registered (the defaults included), without running any collect(). */
  names(): string[] {
    return this.registry.getMetricsAsArray().map((m) => m.name);
  }

  private readings(): Promise<FleetReadings | undefined> {
    if (!this.source) return Promise.resolve(undefined);
    this.reading ??= this.source().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private registerFleetMetrics(): void {
    const registers = [this.registry];
    const readings = () => this.readings();
    /** A fleet metric: reset at each scrape, then set from `pick` when its source was read. */
    const fleet = <R>(spec: MetricSpec, pick: (r: FleetReadings) => R | Error | null | undefined, fill: (metric: Gauge<string> | Counter<string>, value: R) => void) => {
      const options = {
        ...base(spec),
        registers,
        async collect(this: Gauge<string> | Counter<string>) {
          this.reset();
          // prom-client shows a metric without labels as 0 after a reset: nothing read must show nothing.
          if (spec.labels.length === 0) this.remove();
          const r = await readings();
          const value = r && pick(r);
          if (value === undefined || value === null || value instanceof Error) return;
          fill(this, value);
        },
      };
      if (spec.type === 'counter') new Counter(options);
      else new Gauge(options);
    };
    const set = (metric: Gauge<string> | Counter<string>, labels: Record<string, string>, value: number) =>
      metric instanceof Gauge ? metric.set(labels, value) : (metric as Counter<string>).inc(labels, value);
    const byLabel = (label: string, counts: Readonly<Record<string, number>>) => (m: Gauge<string> | Counter<string>) => {
      for (const [key, n] of Object.entries(counts)) set(m, { [label]: key }, n);
    };

    fleet(METRICS.tenants, (r) => ok(r.fleet)?.counts.tenants, (m, v) => byLabel('status', v)(m));
    fleet(METRICS.shreds, (r) => ok(r.fleet)?.counts.shreds, (m, v) => byLabel('status', v)(m));
    fleet(METRICS.keyVersions, (r) => ok(r.fleet)?.counts.keyVersions, (m, v) => byLabel('status', v)(m));
    fleet(METRICS.events, (r) => ok(r.fleet)?.counts.events, (m, v) => byLabel('type', v)(m));
    fleet(METRICS.shredNextDeadline, (r) => ok(r.fleet)?.nextDeadlineSeconds, (m, v) => set(m, {}, v));
    fleet(METRICS.breakGlass, (r) => ok(r.fleet)?.counts.events, (m, events) => {
      const outcomes = { requested: 'BreakGlassRequested', approved: 'BreakGlassActivated', used: 'BreakGlassUsed', refused: 'BreakGlassUseRefused' } as const;
      for (const [outcome, type] of Object.entries(outcomes)) set(m, { outcome }, events[type] ?? 0);
    });
    fleet(METRICS.breakGlassActive, (r) => ok(r.fleet)?.activeGrants, (m, v) => set(m, {}, v));

    fleet(METRICS.complianceViolations, (r) => ok(r.compliance)?.tally.violations, (m, v) => byLabel('promise', v)(m));
    fleet(METRICS.complianceKeyRings, (r) => ok(r.compliance)?.tally.rings, (m, v) => set(m, {}, v));
    fleet(METRICS.complianceAge, (r) => ok(r.compliance)?.ageSeconds, (m, v) => set(m, {}, v));
    fleet(METRICS.reprotectionsPending, (r) => ok(r.compliance)?.tally.databasesBehind, (m, v) => set(m, {}, v));
    fleet(METRICS.reprotectionsOverdue, (r) => ok(r.compliance)?.tally.databasesOverdue, (m, v) => set(m, {}, v));

    const perProcessor = (pick: (p: ProcessorReading) => number) => (m: Gauge<string> | Counter<string>, v: readonly ProcessorReading[]) => {
      for (const p of v) set(m, { processor: p.processor }, pick(p));
    };
    fleet(METRICS.deadLetters, (r) => r.processors, perProcessor((p) => p.deadLetters));
    fleet(METRICS.processorLagSeconds, (r) => r.processors, perProcessor((p) => p.lagSeconds));
    fleet(METRICS.processorLagEvents, (r) => r.processors, perProcessor((p) => p.lagEvents));
    fleet(METRICS.processorOwned, (r) => r.processors, perProcessor((p) => (p.owned ? 1 : 0)));

    const perKind = (pick: (k: { due: number; late: number; failed: number }) => number) => (m: Gauge<string> | Counter<string>, v: { backlog: DeadlineBacklog; kinds: readonly string[] }) => {
      const kinds = new Set([...v.kinds, ...v.backlog.byKind.keys()]);
      for (const kind of kinds) set(m, { kind }, pick(v.backlog.byKind.get(kind) ?? { due: 0, late: 0, failed: 0 }));
    };
    fleet(METRICS.deadlinesDue, (r) => r.deadlines, perKind((k) => k.due));
    fleet(METRICS.deadlinesLate, (r) => r.deadlines, perKind((k) => k.late));
    fleet(METRICS.deadlinesFailed, (r) => r.deadlines, perKind((k) => k.failed));
    fleet(METRICS.deadlineOldestDue, (r) => ok(r.deadlines)?.backlog.oldestDueMs, (m, v) => set(m, {}, v / 1000));

    fleet(METRICS.outboundDeliveries, (r) => r.outbound, (m, rows) => {
      for (const sinkKind of METRICS.outboundDeliveries.values.sink_kind) for (const state of METRICS.outboundDeliveries.values.state) set(m, { sink_kind: sinkKind, state }, 0);
      for (const row of rows) set(m, { sink_kind: row.sinkKind, state: row.state }, row.n);
    });

    fleet(
      METRICS.sourceUp,
      (r) => r,
      (m, r) => {
        const up = { fleet: r.fleet, compliance: r.compliance, processors: r.processors, deadlines: r.deadlines, outbound: r.outbound };
        for (const [source, value] of Object.entries(up)) set(m, { source }, value instanceof Error ? 0 : 1);
      },
    );
  }
}

function base(spec: MetricSpec): { name: string; help: string; labelNames: string[] } {
  return { name: spec.name, help: spec.help, labelNames: [...spec.labels] };
}

function ok<T>(value: T | Error | null): T | undefined {
  return value === null || value instanceof Error ? undefined : value;
}
