// Turns stored domain events into integration events, in the log's order: each is written once to
// the outbox with a pending delivery row for every sink that wants its type, in the transaction that
// moves this processor's checkpoint. So nothing is published that was not stored, and nothing stored
// is lost: a crash before the commit reads the event again, after it the delivery rows are durable.
import type pg from 'pg';
import { keyRingCategory, tenantCategory } from '@lethe/domain';
import { on, type Delivered, type Processor } from '@lethe/processors';
import { wants, type SinkSubscription } from '../delivery/sink.js';
import { MAPPED_KEY_RING_EVENTS, MAPPED_TENANT_EVENTS, toIntegrationEvent, type StoredTenantEvent } from '../mapping/to-integration-event.js';

const INTERESTS = [on(tenantCategory, MAPPED_TENANT_EVENTS), on(keyRingCategory, MAPPED_KEY_RING_EVENTS)] as const;

export const OUTBOX_PROCESSOR = 'outbound:outbox';

export class OutboxProcessor implements Processor<typeof INTERESTS> {
  readonly name = OUTBOX_PROCESSOR;
  readonly interests = INTERESTS;

  /** `sinks`: the sinks configured now; a sink added later gets earlier events by a replay. */
  constructor(private readonly sinks: readonly SinkSubscription[]) {}

  async handle(event: Delivered<typeof INTERESTS>, tx: pg.PoolClient): Promise<void> {
    const stored = { type: event.type, data: event.data, id: event.id, tenantId: event.categoryId, position: event.position } as StoredTenantEvent;
    const integration = toIntegrationEvent(stored);
    if (!integration) return;
    await tx.query('insert into lethe_outbound_events (id, tenant_id, type, position, body) values ($1, $2, $3, $4, $5) on conflict (id) do nothing', [
      integration.id,
      integration.tenantId,
      integration.type,
      integration.position,
      JSON.stringify(integration),
    ]);
    const sinks = this.sinks.filter((s) => wants(s, integration.type)).map((s) => s.name);
    if (sinks.length === 0) return;
    await tx.query(
      `insert into lethe_outbound_deliveries (sink, event_id, tenant_id, position)
       select s, $2, $3, $4 from unnest($1::text[]) as s on conflict do nothing`,
      [sinks, integration.id, integration.tenantId, integration.position],
    );
  }
}
