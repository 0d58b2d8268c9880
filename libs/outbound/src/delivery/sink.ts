// A place integration events are delivered to. Each sink has its own durable queue (delivery rows)
// and its own loop, so one sink's outage or slowness never holds another back.
import type { IntegrationEvent, IntegrationEventType } from '../contract/integration-event.js';

export const SINK_KINDS = ['amqp', 'webhook'] as const;
export type SinkKind = (typeof SINK_KINDS)[number];

/** What the outbox needs to know of a sink: its name and which types it wants. */
export interface SinkSubscription {
  /** Stable: it keys the sink's delivery rows (`amqp`, `webhook:<name>`). */
  readonly name: string;
  readonly kind: SinkKind;
  /** 'all', or the types it asked for. */
  readonly types: 'all' | readonly IntegrationEventType[];
}

export interface Sink extends SinkSubscription {
  /**
   * Delivers one event; resolves once the sink has it (a broker's confirm, a 2xx answer), rejects
   * with a DeliveryError otherwise. `body` is the stored JSON, the same bytes on every attempt.
   */
  deliver(event: IntegrationEvent, body: string): Promise<void>;
  close(): Promise<void>;
}

/** A failed delivery, described without URLs, secrets or the answer's body (it lands in logs and rows). */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
}

export const wants = (sink: SinkSubscription, type: string): boolean => sink.types === 'all' || (sink.types as readonly string[]).includes(type);
