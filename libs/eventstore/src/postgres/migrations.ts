import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The event log. Positions come from the identity's sequence (cache 1: the read horizon relies on
 * every drawn position being in an insert's transaction, see read-horizon.ts). There is deliberately no NOTIFY trigger: a transaction that notifies takes a
 * server-wide lock through its commit flush, which serialised concurrent appends (measured at
 * 0.41 of raw inserts at 8 connections). The store notifies after appends instead, coalesced.
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
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table lethe_events');
  }
}

/**
 * The read horizon's look at the server (see read-horizon.ts): the sequence's last value, THEN the
 * other transactions holding the RowExclusiveLock an insert takes on `lethe_events` before it
 * draws a position. Two plpgsql statements run in that order; both read live server state (the
 * sequence's buffer, the lock table), not a snapshot. One function call is one round trip and
 * keeps no session state, so it is safe through a transaction-mode pooler. Needs no superuser:
 * `pg_locks` is readable by every role, the sequence by the table's owner.
 */
export class EventStoreReadHorizon1764400000090 implements MigrationInterface {
  name = 'EventStoreReadHorizon1764400000090';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create function lethe_events_horizon(out last_value bigint, out in_flight text[])
      language plpgsql volatile
      as $fn$
      begin
        -- A standby's pg_locks lacks the primary's appends and its sequence runs ahead: refuse.
        if pg_is_in_recovery() then
          raise exception 'lethe_events_horizon() must run on the primary, not a standby';
        end if;
        last_value := coalesce(pg_sequence_last_value('lethe_events_global_position_seq'::regclass), 0);
        -- A waiter (not granted) has drawn nothing yet. Prepared transactions have no pid and count.
        select coalesce(array_agg(l.virtualtransaction), '{}') into in_flight
          from pg_locks l
         where l.locktype = 'relation'
           and l.database = (select oid from pg_database where datname = current_database())
           and l.relation = 'lethe_events'::regclass
           and l.mode = 'RowExclusiveLock'
           and l.granted
           and l.pid is distinct from pg_backend_pid();
      end
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop function lethe_events_horizon()');
  }
}

export const eventStoreMigrations = [CreateEventStore1764400000001, EventStoreReadHorizon1764400000090];
