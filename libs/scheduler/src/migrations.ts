// Schema of the durable deadlines (ARCHITECTURE.md §4): a row per timer, claimed by pollers with a
// lease (deadline-poller.ts). Rows are never deleted: a fired or cancelled id stays as the record that
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

/**
 * Claims with a lease instead of a row lock held while the handler runs (deadline-poller.ts):
 * - claimed_by / claimed_until / claim_token: who fires the row, until when (database time, renewed
 *   while the handler runs), and the token every renewal and outcome write must match; all three set
 *   or all three null.
 * - revision: bumped by every change of what the row means (schedule, cancel, requeue, an outcome),
 *   never by a claim or its renewal, so the poller can tell that the row was rescheduled or cancelled
 *   while its handler ran and leave that change standing.
 * The due index stays as it is: claimed rows are few, and the claim filters them on the heap row it
 * locks anyway.
 */
export class DeadlineClaims1764400000080 implements MigrationInterface {
  name = 'DeadlineClaims1764400000080';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      alter table lethe_deadlines
        add column claimed_by    text,
        add column claimed_until timestamptz,
        add column claim_token   uuid,
        add column revision      bigint not null default 0,
        add constraint lethe_deadlines_claim_check check (
          (claimed_by is null) = (claim_token is null) and (claimed_until is null) = (claim_token is null)
        )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      alter table lethe_deadlines
        drop constraint if exists lethe_deadlines_claim_check,
        drop column if exists claimed_by,
        drop column if exists claimed_until,
        drop column if exists claim_token,
        drop column if exists revision`);
  }
}

/**
 * The fleet's schedule (GET /v1/schedule, PostgresDeadlineStore.upcoming): timers still to fire or
 * parked, in (due_at, id) order, read in keyset pages. Partial, so the fired and cancelled rows that
 * pile up forever are not in it, and its predicate must stay the one `upcoming` filters on.
 * Built concurrently (outside a transaction): appends of timers are not blocked while it builds on
 * a large table; a build cut short leaves an invalid index, dropped and rebuilt on the next run.
 */
export class DeadlineScheduleIndex1764400000113 implements MigrationInterface {
  name = 'DeadlineScheduleIndex1764400000113';
  transaction = false;

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('drop index concurrently if exists lethe_deadlines_schedule_idx');
    await queryRunner.query(`create index concurrently lethe_deadlines_schedule_idx on lethe_deadlines (due_at, id) where status in ('pending', 'failed')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('drop index concurrently if exists lethe_deadlines_schedule_idx');
  }
}

/** Every migration of libs/scheduler, in order; pass to runMigrations of @lethe/postgres. */
export const schedulerMigrations = [CreateDeadlines1764400000000, DeadlineClaims1764400000080, DeadlineScheduleIndex1764400000113] as const;
