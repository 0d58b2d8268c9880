export {
  INTEGRATION_EVENT_TYPES,
  SCHEMA_VERSION,
  type IntegrationEvent,
  type IntegrationEventType,
  type IntegrationPayloads,
  type ShredTriggerRef,
} from './contract/integration-event.js';
export { integrationEventId } from './contract/integration-event-id.js';
export { integrationEventSchema } from './contract/integration-event-schemas.js';
export {
  MAPPED_COMPLIANCE_EVENTS,
  MAPPED_KEY_RING_EVENTS,
  MAPPED_TENANT_EVENTS,
  certificateHref,
  toIntegrationEvent,
  type StoredTenantEvent,
} from './mapping/to-integration-event.js';
export { outboundMigrations } from './outbox/outbound.migrations.js';
export { OUTBOX_PROCESSOR, OutboxProcessor } from './outbox/outbox.processor.js';
export { PRUNE_BATCH, pruneOutbox } from './outbox/outbox-pruning.js';
export { DeliveryDispatcher, type DeliveryOutcome, type DispatcherOptions } from './delivery/delivery-dispatcher.js';
export { DEFAULT_RETRY_POLICY, nextAttempt, retrySpanMs, type RetryPolicy } from './delivery/retry-policy.js';
export { DeliveryError, SINK_KINDS, wants, type Sink, type SinkKind, type SinkSubscription } from './delivery/sink.js';
export { AMQP_SINK, AmqpSink, DEFAULT_AMQP_EXCHANGE, type AmqpSinkOptions } from './sinks/amqp-sink.js';
export { WebhookSink, webhookSinkName, type WebhookEndpoint } from './sinks/webhook-sink.js';
export { DEFAULT_REPLAY_WINDOW_SECONDS, SIGNATURE_HEADER, signWebhook, verifyWebhookSignature, type SignatureCheck } from './webhooks/webhook-signature.js';
export { countDeliveries, listDeadDeliveries, replayToSink, type DeadDelivery } from './ops/delivery-ops.js';
