// Schema of the durable deadlines (ARCHITECTURE.md §4): a row per timer, claimed by pollers with
// FOR UPDATE SKIP LOCKED. Rows are never deleted: a fired or cancelled id stays as the record that
// it must not fire again (schedule() refuses to revive it).
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDeadlines1764400000000 implements MigrationInterface {
  name = 'CreateDeadlines1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table lethe_deadlines (
        id              text        primary key,
        kind            text        not null,
        due_at          timestamptz not null,
        payload         jsonb       not null default 'null'::jsonb,
        status          text        not null default 'pending',
        attempts        integer     not null default 0,
        last_error      text,
        next_attempt_at timestamptz,
        created_at      timestamptz not null,
        fired_at        timestamptz,
        updated_at      timestamptz not null,
        constraint lethe_deadlines_status_check check (status in ('pending', 'fired', 'cancelled', 'failed')),
        constraint lethe_deadlines_attempts_check check (attempts >= 0),
        constraint lethe_deadlines_fired_at_check check ((status = 'fired') = (fired_at is not null)),
        constraint lethe_deadlines_id_check check (id <> ''),
        constraint lethe_deadlines_kind_check check (kind <> '')
      )`);
    // The poller's claim: pending rows in the order they become due. The expression must stay
    // identical to the one in deadline-poller.ts for the planner to use this index.
    await queryRunner.query(`
      create index lethe_deadlines_due_idx
        on lethe_deadlines ((coalesce(next_attempt_at, due_at)), id)
        where status = 'pending'`);
    // Ops listings by status and kind (e.g. parked 'failed' deadlines).
    await queryRunner.query(`create index lethe_deadlines_status_kind_idx on lethe_deadlines (status, kind, due_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('drop table if exists lethe_deadlines');
  }
}

/** Every migration of libs/scheduler, in order; pass to runMigrations of @lethe/postgres. */
export const schedulerMigrations = [CreateDeadlines1764400000000] as const;
