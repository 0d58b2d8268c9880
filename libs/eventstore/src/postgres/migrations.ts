import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event log. `transaction_id` lets readers stop below the oldest in-flight transaction
 * (positions come from a sequence and commit out of order). The statement-level trigger
 * wakes live subscribers; NOTIFY is delivered at commit, so a woken reader can see the event.
 */
export class CreateEventStore1764400000001 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table lethe_events (
        global_position bigint generated always as identity primary key,
        transaction_id  xid8        not null,
        stream_id       text        not null,
        stream_revision bigint      not null,
        event_id        uuid        not null,
        event_type      text        not null,
        data            jsonb       not null,
        metadata        jsonb       not null default '{}'::jsonb,
        recorded_at     timestamptz not null default now(),
        constraint lethe_events_stream_revision unique (stream_id, stream_revision),
        constraint lethe_events_event_id unique (event_id)
      )`);
    await q.query(`
      create function lethe_events_notify() returns trigger language plpgsql as $$
      begin
        perform pg_notify('lethe_events', '');
        return null;
      end $$`);
    await q.query(`
      create trigger lethe_events_notify after insert on lethe_events
      for each statement execute function lethe_events_notify()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table lethe_events');
    await q.query('drop function lethe_events_notify');
  }
}

export const eventStoreMigrations = [CreateEventStore1764400000001];
