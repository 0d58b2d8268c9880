// Issued deletion certificates: the exact bytes served, once per shred. A trigger refuses to change
// or delete a row: a certificate, once issued, is what the customer holds.
import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateCertificates1764400000030 implements MigrationInterface {
  name = 'CreateCertificates1764400000030';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table lethe_certificates (
        certificate_id text        primary key,
        tenant_id      text        not null,
        shred_id       text        not null,
        key_id         text        not null,
        sha256         text        not null,
        document       bytea       not null,
        issued_at      timestamptz not null,
        constraint lethe_certificates_one_per_shred unique (tenant_id, shred_id),
        constraint lethe_certificates_sha256_check check (sha256 ~ '^[0-9a-f]{64}$')
      )`);
    await queryRunner.query(`
      create function lethe_certificates_immutable() returns trigger language plpgsql as $$
      begin
        raise exception 'lethe: issued certificates are never changed or deleted (%)', old.certificate_id;
      end $$`);
    await queryRunner.query(`
      create trigger lethe_certificates_guard before update or delete on lethe_certificates
      for each row execute function lethe_certificates_immutable()`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('drop table if exists lethe_certificates');
    await queryRunner.query('drop function if exists lethe_certificates_immutable()');
  }
}

/** The certificate store's schema; pass to runMigrations of @lethe/postgres. */
export const certificateMigrations = [CreateCertificates1764400000030] as const;
