// At boot, the event store LETHE_EVENT_STORE names: the engine's PostgreSQL (`postgres`), or an
// EventStoreDB / KurrentDB server (`eventstoredb`) read filtered to Lethe's stream categories. A
// server that does not answer stops the boot, as an unreachable PostgreSQL does: every command and
// processor needs the log. The connection string is never logged (it may hold a password).
// Processor checkpoints stay in PostgreSQL and are positions of the configured log: boot refuses a
// database whose PostgreSQL log holds events (the installation's log is there; switching would
// resume EventStoreDB reads from PostgreSQL positions), and checkpoints ahead of the EventStoreDB log's
// head (the log restored behind the database, or another server): new events would land below
// them and be skipped.
import type { Logger } from 'pino';
import { STREAM_CATEGORIES } from '@lethe/domain';
import { EventStoreDbEventStore, PostgresEventStore, type EventStore, type EventStoreDbEventStoreOptions } from '@lethe/eventstore';
import type { EventStoreConfig } from '../config/event-store-config.js';
import type { Database } from './database.js';

export interface OpenedEventStore {
  readonly store: EventStore;
  close(): Promise<void>;
}

/** The configured log does not match what PostgreSQL's checkpoints and log say. Exit 2 (a setting). */
export class EventStoreMismatchError extends Error {
  constructor(reason: string) {
    super(`LETHE_EVENT_STORE: ${reason}`);
    this.name = 'EventStoreMismatchError';
  }
}

export class EventStoreUnavailableError extends Error {
  constructor(reason: string) {
    super(`EVENTSTORE_CONNECTION_STRING: the EventStoreDB server did not answer at boot (${reason})`);
    this.name = 'EventStoreUnavailableError';
  }
}

export async function openEventStore(
  config: EventStoreConfig,
  database: Pick<Database, 'pool' | 'direct'>,
  logger: Pick<Logger, 'info'>,
  connect: (connectionString: string, options: EventStoreDbEventStoreOptions) => EventStoreDbEventStore = (c, o) => EventStoreDbEventStore.connect(c, o),
): Promise<OpenedEventStore> {
  if (config.kind === 'postgres') {
    const store = new PostgresEventStore(database.pool, { directConnection: database.direct.client });
    return { store, close: () => store.close() };
  }
  const store = connect(config.connectionString, { categories: STREAM_CATEGORIES.map((c) => c.name) });
  let head: bigint;
  try {
    head = await store.head();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw new EventStoreUnavailableError(redact((error as Error).message ?? String(error), config.connectionString));
  }
  try {
    await checkMatches(database.pool, head);
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  logger.info({ eventStore: 'eventstoredb', categories: STREAM_CATEGORIES.map((c) => c.name) }, 'event store');
  return { store, close: () => store.close() };
}

async function checkMatches(pool: Pick<Database['pool'], 'query'>, head: bigint): Promise<void> {
  const res = await pool.query<{ postgres_events: boolean; checkpoint: string | null }>(
    'select exists (select 1 from lethe_events) as postgres_events, (select max(position) from lethe_checkpoints)::text as checkpoint',
  );
  const { postgres_events: postgresEvents, checkpoint } = res.rows[0];
  if (postgresEvents) throw new EventStoreMismatchError('eventstoredb refused: this database holds its event log in PostgreSQL (lethe_events has events); the log cannot move stores');
  if (checkpoint !== null && BigInt(checkpoint) > head) {
    throw new EventStoreMismatchError(
      `eventstoredb refused: processor checkpoints (up to ${checkpoint}) are ahead of the EventStoreDB log's head (${head}): was the log restored behind this database, or is this another server?`,
    );
  }
}

/** The client's messages name endpoints, not credentials; this makes sure of it. */
function redact(message: string, connectionString: string): string {
  const credentials = /^[^:]+:\/\/([^@/?]+)@/.exec(connectionString)?.[1];
  let out = message.split(connectionString).join('<EVENTSTORE_CONNECTION_STRING>');
  if (credentials) out = out.split(credentials).join('<credentials>');
  return out.slice(0, 300);
}
