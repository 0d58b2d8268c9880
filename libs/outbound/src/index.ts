export {
  INTEGRATION_EVENT_TYPES,
  RESERVED_INTEGRATION_EVENT_TYPES,
  SCHEMA_VERSION,
  type IntegrationEvent,
  type IntegrationEventType,
  type IntegrationPayloads,
  type ShredTriggerRef,
} from './contract/integration-event.js';
export { integrationEventId } from './contract/integration-event-id.js';
export { integrationEventSchema } from './contract/integration-event-schemas.js';
export {
  MAPPED_KEY_RING_EVENTS,
  MAPPED_TENANT_EVENTS,
  certificateHref,
  toIntegrationEvent,
  type StoredTenantEvent,
} from './mapping/to-integration-event.js';
