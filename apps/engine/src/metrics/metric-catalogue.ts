// Every metric /metrics exposes beyond prom-client's process defaults: name, type, labels and what it
// means. The single source of truth for the code that registers them, for the end-to-end test that
// scrapes them, and for the test that every metric the alert rules and the dashboard use exists.
//
// Two kinds:
// - fleet: read from the database at each scrape (read models, leases, deadlines), so every instance
//   answers the same numbers; aggregate them with max() across instances, never sum().
// - instance: this process's own calls (vault, data plane, HTTP); sum() them across instances.
// No label ever holds a tenant id, a key version id, a URL or anything else that grows with the fleet:
// label values come from fixed lists in the code (statuses, promises, event types, processors,
// deadline kinds, port operations, route templates).

import { KEY_VERSION_STATUSES, SHRED_PROGRESS, TENANT_STATUSES } from '@lethe/domain';
import { DOMAIN_EVENT_TYPES } from '@lethe/lifecycle';
import { SINK_KINDS } from '@lethe/outbound';
import { DATA_PLANE_OPERATIONS, FAILURE_REASONS, PROBE_OPERATION, PROBE_OUTCOMES, VAULT_OPERATIONS } from './port-operations.js';

/** What the RabbitMQ intake did with a message (apps/engine/src/intake). */
export const INTAKE_OUTCOMES = ['processed', 'invalid', 'unknown-tenant', 'refused', 'retried'] as const;
/** The message's kind by its routing key; `unknown` for any other routing key. */
export const INTAKE_KINDS = ['termination', 'deletion-request', 'unknown'] as const;

const DATA_PLANE_LABELS = [...DATA_PLANE_OPERATIONS, PROBE_OPERATION];

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricSpec {
  /** Prometheus name: `lethe_` prefix, base units, `_total` for counters. */
  readonly name: string;
  readonly type: MetricType;
  readonly labels: readonly string[];
  readonly scope: 'fleet' | 'instance';
  readonly help: string;
  /** The values a label may take, where the code fixes them (what rules and dashboards may name). */
  readonly values?: Readonly<Record<string, readonly string[]>>;
}

const spec = <const S extends MetricSpec>(s: S): S => s;

export const METRICS = {
  tenants: spec({ name: 'lethe_tenants', type: 'gauge', labels: ['status'], values: { status: TENANT_STATUSES }, scope: 'fleet', help: 'Tenants by status (active, shred-scheduled, shredding, shredded, verified, breached)' }),
  shreds: spec({ name: 'lethe_shreds', type: 'gauge', labels: ['status'], values: { status: SHRED_PROGRESS }, scope: 'fleet', help: 'Shreds, current and past, by status (shred-scheduled, shredding, shredded, verified, breached, cancelled)' }),
  shredNextDeadline: spec({
    name: 'lethe_shred_next_deadline_seconds',
    type: 'gauge',
    labels: [],
    scope: 'fleet',
    help: 'Seconds from now (engine clock) to the earliest deadline of a shred not verified and not breached yet; negative once passed; absent when no shred is open',
  }),
  keyVersions: spec({ name: 'lethe_key_versions', type: 'gauge', labels: ['status'], values: { status: KEY_VERSION_STATUSES }, scope: 'fleet', help: 'Key versions by status (active, superseded, retired, destroyed)' }),
  complianceViolations: spec({
    name: 'lethe_compliance_violations',
    type: 'gauge',
    labels: ['promise'],
    values: { promise: ['P1', 'P2', 'P3'] },
    scope: 'fleet',
    help: 'Violations of P1, P2 and P3 as GET /v1/compliance lists them, over every live key ring',
  }),
  complianceKeyRings: spec({ name: 'lethe_compliance_key_rings', type: 'gauge', labels: [], scope: 'fleet', help: 'Live key rings the compliance figures cover' }),
  complianceAge: spec({ name: 'lethe_compliance_age_seconds', type: 'gauge', labels: [], scope: 'fleet', help: 'How old the compliance figures are (they are recomputed at most every 30 s)' }),
  reprotectionsPending: spec({ name: 'lethe_reprotections_pending', type: 'gauge', labels: [], scope: 'fleet', help: 'Databases of live key rings not yet on their newest key version' }),
  reprotectionsOverdue: spec({
    name: 'lethe_reprotections_overdue',
    type: 'gauge',
    labels: [],
    scope: 'fleet',
    help: 'Databases still behind more than 24 hours after their newest key version appeared (P2)',
  }),
  events: spec({ name: 'lethe_events_total', type: 'counter', labels: ['type'], values: { type: DOMAIN_EVENT_TYPES }, scope: 'fleet', help: 'Events stored, by domain event type (from the event-type-counts read model)' }),
  breakGlass: spec({
    name: 'lethe_break_glass_total',
    type: 'counter',
    labels: ['outcome'],
    values: { outcome: ['requested', 'approved', 'used', 'refused'] },
    scope: 'fleet',
    help: 'Break-glass grants requested and approved (activated by their K-th approval), and privileged calls that used a grant or were refused (from the event-type-counts read model)',
  }),
  breakGlassActive: spec({ name: 'lethe_break_glass_active_grants', type: 'gauge', labels: [], scope: 'fleet', help: 'Break-glass grants approved and inside their window now (engine clock): someone may be using privileged access' }),
  deadLetters: spec({ name: 'lethe_dead_letters', type: 'gauge', labels: ['processor'], scope: 'fleet', help: 'Events a processor parked after its retries ran out (lethe_dead_letters rows)' }),
  processorLagSeconds: spec({
    name: 'lethe_processor_lag_seconds',
    type: 'gauge',
    labels: ['processor'],
    scope: 'fleet',
    help: 'Age of the oldest event a processor has not passed yet; 0 when it is at the head of the log',
  }),
  processorLagEvents: spec({
    name: 'lethe_processor_lag_events',
    type: 'gauge',
    labels: ['processor'],
    scope: 'fleet',
    help: 'Log positions between a processor and the head of the log (an upper bound on events: rolled-back appends burn positions)',
  }),
  processorOwned: spec({ name: 'lethe_processor_owned', type: 'gauge', labels: ['processor'], scope: 'fleet', help: '1 while a live instance holds the processor\'s lease, else 0' }),
  deadlinesDue: spec({ name: 'lethe_deadlines_due', type: 'gauge', labels: ['kind'], scope: 'fleet', help: 'Pending durable timers already due (engine clock), by kind (public timer name, as GET /v1/schedule)' }),
  deadlinesLate: spec({ name: 'lethe_deadlines_late', type: 'gauge', labels: ['kind'], scope: 'fleet', help: 'Pending durable timers due for more than 60 s, by kind (public timer name, as GET /v1/schedule)' }),
  deadlinesFailed: spec({ name: 'lethe_deadlines_failed', type: 'gauge', labels: ['kind'], scope: 'fleet', help: 'Durable timers parked as failed after their attempts ran out (ops requeue them), by kind (public timer name, as GET /v1/schedule)' }),
  deadlineOldestDue: spec({ name: 'lethe_deadline_oldest_due_seconds', type: 'gauge', labels: [], scope: 'fleet', help: 'How long the oldest due pending timer has waited; 0 when none is due' }),
  sourceUp: spec({
    name: 'lethe_metrics_source_up',
    type: 'gauge',
    labels: ['source'],
    values: { source: ['fleet', 'compliance', 'processors', 'deadlines', 'outbound'] },
    scope: 'instance',
    help: '1 when this scrape read the source (fleet, compliance, processors, deadlines, outbound) from the database, else 0 (its metrics are left out)',
  }),
  vaultDuration: spec({ name: 'lethe_vault_request_duration_seconds', type: 'histogram', labels: ['operation'], values: { operation: VAULT_OPERATIONS }, scope: 'instance', help: 'Key vault calls made by this instance, by port operation' }),
  vaultErrors: spec({
    name: 'lethe_vault_request_errors_total',
    type: 'counter',
    labels: ['operation', 'reason'],
    values: { operation: VAULT_OPERATIONS, reason: FAILURE_REASONS },
    scope: 'instance',
    help: 'Key vault calls that failed, by operation; reason unavailable (timeout, connection, 5xx), destroyed, disabled or unknown (the vault\'s answer about the key: the read probe expects destroyed) or error',
  }),
  dataPlaneDuration: spec({
    name: 'lethe_dataplane_request_duration_seconds',
    type: 'histogram',
    labels: ['operation'],
    values: { operation: DATA_PLANE_LABELS },
    scope: 'instance',
    help: 'Data plane and read probe calls made by this instance, by port operation (vault calls they make are counted as vault calls too)',
  }),
  dataPlaneErrors: spec({
    name: 'lethe_dataplane_request_errors_total',
    type: 'counter',
    labels: ['operation', 'reason'],
    values: { operation: DATA_PLANE_LABELS, reason: FAILURE_REASONS },
    scope: 'instance',
    help: 'Data plane calls that failed, by operation; reason as for the vault (unavailable: the vault behind did not answer)',
  }),
  probeOutcomes: spec({
    name: 'lethe_read_probe_outcomes_total',
    type: 'counter',
    labels: ['outcome'],
    values: { outcome: PROBE_OUTCOMES },
    scope: 'instance',
    help: 'Read probes of a database after a shred, by outcome: key-destroyed (verified), readable (data still readable: alert), inconclusive',
  }),
  intakeMessages: spec({
    name: 'lethe_intake_messages_total',
    type: 'counter',
    labels: ['kind', 'outcome'],
    values: { kind: INTAKE_KINDS, outcome: INTAKE_OUTCOMES },
    scope: 'instance',
    help: 'Messages this instance took from the RabbitMQ intake queue, by kind and outcome: processed (acknowledged once its event was stored, a duplicate included), invalid, unknown-tenant or refused (dead-lettered), retried (put back after a failure, e.g. the database unavailable)',
  }),
  outboundAttempts: spec({
    name: 'lethe_outbound_delivery_attempts_total',
    type: 'counter',
    labels: ['sink_kind', 'outcome'],
    values: { sink_kind: SINK_KINDS, outcome: ['delivered', 'failed', 'dead'] },
    scope: 'instance',
    help: 'Integration event deliveries attempted by this instance, by sink kind (amqp, webhook) and outcome: delivered, failed (to be retried) or dead (retries exhausted: GET /v1/outbound/dead-letters)',
  }),
  outboundDeliveries: spec({
    name: 'lethe_outbound_deliveries',
    type: 'gauge',
    labels: ['sink_kind', 'state'],
    values: { sink_kind: SINK_KINDS, state: ['pending', 'dead'] },
    scope: 'fleet',
    help: 'Integration event deliveries waiting (pending, retries included) or dead (retries exhausted, until replayed), by sink kind',
  }),
  httpDuration: spec({
    name: 'lethe_http_request_duration_seconds',
    type: 'histogram',
    labels: ['method', 'route', 'status'],
    scope: 'instance',
    help: 'HTTP requests served by this instance, by method, route template (never the raw path; static for console files, unmatched for no route) and status',
  }),
} as const;

export const METRIC_CATALOGUE: readonly MetricSpec[] = Object.values(METRICS);

/** prom-client's process and Node.js metrics (collectDefaultMetrics), under the same prefix. */
export const DEFAULT_METRICS_PREFIX = 'lethe_';

/** The series names a metric of `spec` shows on /metrics (a histogram's _bucket, _sum and _count). */
export function seriesNames(spec: Pick<MetricSpec, 'name' | 'type'>): string[] {
  return spec.type === 'histogram' ? [`${spec.name}_bucket`, `${spec.name}_sum`, `${spec.name}_count`] : [spec.name];
}
