// Schema of the idempotency records: one row per (scope, key). A row is 'pending' while the first
// request holding the key runs (claim_token identifies that request, lease_expires_at frees the key
// if its instance dies), then 'completed' with the answer every replay returns.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdempotency1764400000040 implements MigrationInterface {
  name = 'CreateIdempotency1764400000040';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table lethe_idempotency (
        scope            text        not null,
        idempotency_key  text        not null,
        request_hash     text        not null,
        state            text        not null,
        claim_token      uuid,
        lease_expires_at timestamptz,
        response_status  integer,
        response_body    json,
        created_at       timestamptz not null,
        completed_at     timestamptz,
        constraint lethe_idempotency_pkey primary key (scope, idempotency_key),
        constraint lethe_idempotency_state_check check (state in ('pending', 'completed')),
        constraint lethe_idempotency_pending_check
          check ((state = 'pending') = (claim_token is not null and lease_expires_at is not null)),
        constraint lethe_idempotency_completed_check
          check ((state = 'completed') = (response_status is not null and completed_at is not null)),
        constraint lethe_idempotency_status_check check (response_status between 100 and 599),
        constraint lethe_idempotency_hash_check check (request_hash ~ '^[0-9a-f]{64}$'),
        constraint lethe_idempotency_key_check check (idempotency_key <> '' and length(idempotency_key) <= 255),
        constraint lethe_idempotency_scope_check check (scope <> '')
      )`);
    // For a future sweep of old records.
    await queryRunner.query(`create index lethe_idempotency_created_idx on lethe_idempotency (created_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('drop table if exists lethe_idempotency');
  }
}

/** Every migration of the HTTP idempotency store, in order; add to ENGINE_MIGRATIONS. */
export const idempotencyMigrations = [CreateIdempotency1764400000040] as const;
