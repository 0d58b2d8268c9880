import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateProcessorTables1764400000002 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table lethe_checkpoints (
        processor  text primary key,
        position   bigint not null default 0,
        updated_at timestamptz not null default now()
      )`);
    // Who owns each processor. The advisory lock is the lease; this row makes it visible and
    // lets a standby take over from an owner that stopped heartbeating while still connected.
    await q.query(`
      create table lethe_processor_leases (
        processor    text primary key,
        owner        text not null,
        backend_pid  int not null,
        acquired_at  timestamptz not null default now(),
        heartbeat_at timestamptz not null default now()
      )`);
    await q.query(`
      create table lethe_dead_letters (
        id          bigint generated always as identity primary key,
        processor   text not null,
        position    bigint not null,
        event_id    uuid not null,
        event_type  text not null,
        stream_id   text not null,
        attempts    int not null,
        last_error  text not null,
        parked_at   timestamptz not null default now(),
        unique (processor, event_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table lethe_dead_letters');
    await q.query('drop table lethe_processor_leases');
    await q.query('drop table lethe_checkpoints');
  }
}

/**
 * Each lease owner heartbeats how far its processor got (handled or skipped), so any instance's
 * readiness can tell how far behind the log a processor owned elsewhere is.
 */
export class ProcessorLeaseProgress1764400000075 implements MigrationInterface {
  name = 'ProcessorLeaseProgress1764400000075';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table lethe_processor_leases add column position bigint not null default 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table lethe_processor_leases drop column position`);
  }
}

export const processorMigrations = [CreateProcessorTables1764400000002, ProcessorLeaseProgress1764400000075];
