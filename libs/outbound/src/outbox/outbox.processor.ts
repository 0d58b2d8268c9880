// Turns stored domain events into integration events, in the log's order: each is written once to
// the outbox with a pending delivery row for every sink that wants its type, in the transaction that
// moves this processor's checkpoint. So nothing is published that was not stored, and nothing stored
// is lost: a crash before the commit reads the event again, after it the delivery rows are durable.
import type pg from 'pg';
import { complianceCategory, keyRingCategory, tenantCategory } from '@lethe/domain';
import { on, type Delivered, type Processor } from '@lethe/processors';
import { wants, type SinkSubscription } from '../delivery/sink.js';
import { MAPPED_COMPLIANCE_EVENTS, MAPPED_KEY_RING_EVENTS, MAPPED_TENANT_EVENTS, toIntegrationEvent, type StoredTenantEvent } from '../mapping/to-integration-event.js';

const INTERESTS = [on(tenantCategory, MAPPED_TENANT_EVENTS), on(keyRingCategory, MAPPED_KEY_RING_EVENTS), on(complianceCategory, MAPPED_COMPLIANCE_EVENTS)] as const;

export const OUTBOX_PROCESSOR = 'outbound:outbox';

export class OutboxProcessor implements Processor<typeof INTERESTS> {
  readonly name = OUTBOX_PROCESSOR;
  readonly interests = INTERESTS;

  /** `sinks`: the sinks configured now; a sink added later gets earlier events by a replay. */
  constructor(private readonly sinks: readonly SinkSubscription[]) {}

  async handle(event: Delivered<typeof INTERESTS>, tx: pg.PoolClient): Promise<void> {
    await this.handleBatch([event], tx);
  }

  /** A run of events in log order: every integration event in one insert, every delivery row in another. */
  async handleBatch(events: readonly Delivered<typeof INTERESTS>[], tx: pg.PoolClient): Promise<void> {
    const integrations = events.flatMap((event) => {
      const stored = { type: event.type, data: event.data, id: event.id, tenantId: event.categoryId, position: event.position } as StoredTenantEvent;
      const integration = toIntegrationEvent(stored);
      return integration ? [integration] : [];
    });
    if (integrations.length === 0) return;
    await tx.query(
      `insert into lethe_outbound_events (id, tenant_id, type, position, body)
       select * from unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[]) on conflict (id) do nothing`,
      [
        integrations.map((i) => i.id),
        integrations.map((i) => i.tenantId),
        integrations.map((i) => i.type),
        integrations.map((i) => i.position),
        integrations.map((i) => JSON.stringify(i)),
      ],
    );
    const deliveries = integrations.flatMap((i) => this.sinks.filter((s) => wants(s, i.type)).map((s) => ({ sink: s.name, event: i })));
    if (deliveries.length === 0) return;
    await tx.query(
      `insert into lethe_outbound_deliveries (sink, event_id, tenant_id, position)
       select * from unnest($1::text[], $2::uuid[], $3::text[], $4::bigint[]) on conflict do nothing`,
      [deliveries.map((d) => d.sink), deliveries.map((d) => d.event.id), deliveries.map((d) => d.event.tenantId), deliveries.map((d) => d.event.position)],
    );
  }
}
