// Both tables in the bench database: Lethe's own (through its migrations) and `raw_events`, a copy
// of the lethe_events table, for the hand-written baseline.
import { eventStoreMigrations } from '@lethe/eventstore';
import { runMigrations } from '@lethe/postgres';
import type pg from 'pg';

// `like ... including all` copies columns, defaults, identity, constraints and indexes, so the
// baseline table can never drift from the real one (it has no triggers either way).
const RAW_EVENTS_DDL = 'create table raw_events (like lethe_events including all)';

export async function createSchema(url: string, admin: pg.Pool): Promise<void> {
  await runMigrations(url, eventStoreMigrations);
  await admin.query(RAW_EVENTS_DDL);
}

/** Empties both logs so every append pass starts from the same state, after a checkpoint. */
export async function resetTables(admin: pg.Pool): Promise<void> {
  await admin.query('truncate raw_events, lethe_events restart identity');
  await admin.query('checkpoint').catch(() => undefined);
}
