// Both tables in the bench database: Lethe's own (through its migrations) and `raw_events`, a copy
// of the lethe_events DDL without the notify trigger, for the hand-written baseline.
import { eventStoreMigrations } from '@lethe/eventstore';
import { runMigrations } from '@lethe/postgres';
import type pg from 'pg';

const RAW_EVENTS_DDL = `
  create table raw_events (
    global_position bigint generated always as identity primary key,
    transaction_id  xid8        not null,
    stream_id       text        not null,
    stream_revision bigint      not null,
    event_id        uuid        not null,
    event_type      text        not null,
    data            jsonb       not null,
    metadata        jsonb       not null default '{}'::jsonb,
    recorded_at     timestamptz not null default now(),
    constraint raw_events_stream_revision unique (stream_id, stream_revision),
    constraint raw_events_event_id unique (event_id)
  )`;

export async function createSchema(url: string, admin: pg.Pool): Promise<void> {
  await runMigrations(url, eventStoreMigrations);
  await admin.query(RAW_EVENTS_DDL);
}

/** Empties both logs so every append pass starts from the same state, after a checkpoint. */
export async function resetTables(admin: pg.Pool): Promise<void> {
  await admin.query('truncate raw_events, lethe_events restart identity');
  await admin.query('checkpoint').catch(() => undefined);
}
