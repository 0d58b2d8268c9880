// At boot, the event store LETHE_EVENT_STORE names: the engine's PostgreSQL (`postgres`), or an
// EventStoreDB / KurrentDB server (`eventstoredb`) read filtered to Lethe's stream categories. A
// server that does not answer stops the boot, as an unreachable PostgreSQL does: every command and
// processor needs the log. The connection string is never logged (it may hold a password).
import type { Logger } from 'pino';
import { STREAM_CATEGORIES } from '@lethe/domain';
import { EventStoreDbEventStore, PostgresEventStore, type EventStore } from '@lethe/eventstore';
import type { EventStoreConfig } from '../config/event-store-config.js';
import type { Database } from './database.js';

export interface OpenedEventStore {
  readonly store: EventStore;
  close(): Promise<void>;
}

export class EventStoreUnavailableError extends Error {
  constructor(reason: string) {
    super(`EVENTSTORE_CONNECTION_STRING: the EventStoreDB server did not answer at boot (${reason})`);
    this.name = 'EventStoreUnavailableError';
  }
}

export async function openEventStore(config: EventStoreConfig, database: Database, logger: Pick<Logger, 'info'>): Promise<OpenedEventStore> {
  if (config.kind === 'postgres') {
    const store = new PostgresEventStore(database.pool, { directConnection: database.direct.client });
    return { store, close: () => store.close() };
  }
  const store = EventStoreDbEventStore.connect(config.connectionString, { categories: STREAM_CATEGORIES.map((c) => c.name) });
  try {
    await store.head();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw new EventStoreUnavailableError(redact((error as Error).message ?? String(error), config.connectionString));
  }
  logger.info({ eventStore: 'eventstoredb', categories: STREAM_CATEGORIES.map((c) => c.name) }, 'event store');
  return { store, close: () => store.close() };
}

/** The client's messages name endpoints, not credentials; this makes sure of it. */
function redact(message: string, connectionString: string): string {
  const credentials = /^[^:]+:\/\/([^@/?]+)@/.exec(connectionString)?.[1];
  let out = message.split(connectionString).join('<EVENTSTORE_CONNECTION_STRING>');
  if (credentials) out = out.split(credentials).join('<credentials>');
  return out.slice(0, 300);
}
