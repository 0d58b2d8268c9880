// The manual clock's time, kept across restarts (LETHE_CLOCK=manual): one row.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateManualClock1764400000050 implements MigrationInterface {
  name = 'CreateManualClock1764400000050';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table lethe_manual_clock (
        id  smallint    primary key default 1 check (id = 1),
        now timestamptz not null
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('drop table lethe_manual_clock');
  }
}

export const manualClockMigrations = [CreateManualClock1764400000050];
