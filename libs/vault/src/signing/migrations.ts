// Public halves of every certificate signing key the engines have used, with their validity. Private
// keys never enter the database. At most one key is current (valid_until null).
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSigningKeys1764400000022 implements MigrationInterface {
  name = 'CreateSigningKeys1764400000022';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table lethe_signing_keys (
        key_id         text        primary key,
        algorithm      text        not null,
        public_key_pem text        not null,
        valid_from     timestamptz not null,
        valid_until    timestamptz,
        constraint lethe_signing_keys_algorithm_check check (algorithm = 'Ed25519'),
        constraint lethe_signing_keys_validity_check check (valid_until is null or valid_until >= valid_from)
      )`);
    await queryRunner.query(`create unique index lethe_signing_keys_one_current on lethe_signing_keys ((true)) where valid_until is null`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('drop table if exists lethe_signing_keys');
  }
}

/** The signing key registry's schema; pass to runMigrations of @lethe/postgres. */
export const signingKeyMigrations = [CreateSigningKeys1764400000022] as const;
