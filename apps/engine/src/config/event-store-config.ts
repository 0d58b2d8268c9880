// LETHE_EVENT_STORE and the settings of the store it names: where the event log lives. `postgres`
// (the default) is the engine's own PostgreSQL; `eventstoredb` an EventStoreDB or KurrentDB server
// (EVENTSTORE_CONNECTION_STRING). Read models, checkpoints, leases and deadlines stay in PostgreSQL
// either way. The connection string may hold a password: no problem echoes it.
import { connectionStringProblem } from '@lethe/eventstore';

export const EVENT_STORES = ['postgres', 'eventstoredb'] as const;

export type EventStoreConfig = { readonly kind: 'postgres' } | { readonly kind: 'eventstoredb'; readonly connectionString: string };

/** The event store's settings from the environment (empty values already removed); problems are pushed. */
export function parseEventStore(env: Readonly<Record<string, string | undefined>>, problems: string[]): EventStoreConfig {
  const connectionString = env.EVENTSTORE_CONNECTION_STRING?.trim();
  if (env.LETHE_EVENT_STORE !== 'eventstoredb') {
    if (connectionString !== undefined) problems.push('EVENTSTORE_CONNECTION_STRING: only applies with LETHE_EVENT_STORE=eventstoredb');
    return { kind: 'postgres' };
  }
  if (connectionString === undefined) {
    problems.push('EVENTSTORE_CONNECTION_STRING: required with LETHE_EVENT_STORE=eventstoredb');
    return { kind: 'postgres' };
  }
  const problem = connectionStringProblem(connectionString);
  if (problem !== undefined) {
    problems.push(`EVENTSTORE_CONNECTION_STRING: ${problem}`);
    return { kind: 'postgres' };
  }
  // The manual clock checks at boot that it is not behind the newest event's occurredAt, in the
  // PostgreSQL log (persisted-manual-clock.ts); simulations run on PostgreSQL.
  if (env.LETHE_CLOCK === 'manual') {
    problems.push('LETHE_EVENT_STORE: eventstoredb is refused with LETHE_CLOCK=manual (test-only clock; simulations run on postgres)');
    return { kind: 'postgres' };
  }
  return { kind: 'eventstoredb', connectionString };
}
