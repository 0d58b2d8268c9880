export * from './event-store.js';
export { WrongExpectedRevisionError, DuplicateEventIdError, InvalidAppendError, type ActualRevision } from './errors.js';
export { PostgresEventStore, type PostgresEventStoreOptions } from './postgres/postgres-event-store.js';
export { eventStoreMigrations } from './postgres/migrations.js';
export { eventStoreContract, type ContractSubject } from './contract/event-store.contract.js';
export { EventStoreDbEventStore, type EventStoreDbEventStoreOptions } from './eventstoredb/eventstoredb-event-store.js';
export { UnrepresentablePositionError, MissingPositionError } from './eventstoredb/esdb-mapping.js';
export { SubscriptionEndedError } from './eventstoredb/esdb-subscription.js';
export { connectionStringProblem, CONNECTION_STRING_RULE } from './eventstoredb/connection-string.js';
