// Read models of each tenant's key ring: the ring (custody, period, backup policy, newest version,
// where each database stands), its versions (status, retainUntil, how many backups hold each), and
// backups (protection, and the flag of one recorded after a version it needs was retired).
// key-ring-projection.ts keeps them, agreeing with the domain's evolve and retention rules, so
// GET /keys and /compliance show exactly what the deciders decide on.
import { Column, Entity, PrimaryColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import type { Unrestorable } from '@lethe/domain';

@Entity({ name: 'rm_key_rings' })
export class KeyRingView {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ name: 'key_custody', type: 'text' }) keyCustody!: string;
  @Column({ name: 'rotation_period_days', type: 'int' }) rotationPeriodDays!: number;
  @Column({ name: 'pitr_retention_days', type: 'int' }) pitrRetentionDays!: number;
  @Column({ name: 'newest_key_version_id', type: 'text' }) newestKeyVersionId!: string;
  @Column({ name: 'newest_created_at', type: 'timestamptz' }) newestCreatedAt!: Date;
  @Column({ type: 'boolean' }) destroyed!: boolean;
  @Column({ type: 'jsonb' }) databases!: { databaseId: string; keyVersionId: string; since: string }[];
}

@Entity({ name: 'rm_key_versions' })
export class KeyVersionView {
  @PrimaryColumn({ name: 'key_version_id', type: 'text' }) keyVersionId!: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ type: 'int' }) ordinal!: number;
  @Column({ type: 'text' }) status!: string;
  @Column({ type: 'text' }) source!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'retain_until', type: 'timestamptz', nullable: true }) retainUntil!: Date | null;
  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true }) retiredAt!: Date | null;
  /** Backups not deleted that need the version (expired ones included), as `backupsHolding` counts them. */
  @Column({ name: 'backup_count', type: 'int' }) backupCount!: number;
  /**
   * When the version stopped protecting its last database (null: never stopped protecting one):
   * the projection's own state for retainUntil.
   */
  @Column({ name: 'last_use', type: 'timestamptz', nullable: true }) lastUse!: Date | null;
  /** Set while enabled again under break-glass after a retirement (KeyVersionEnabled); null otherwise. */
  @Column({ name: 'enabled_until', type: 'timestamptz', nullable: true }) enabledUntil!: Date | null;
  /** While retired: when its grace ends and it is destroyed in the vault (KeyVersionRetired.destroyAt); null otherwise. */
  @Column({ name: 'destroy_at', type: 'timestamptz', nullable: true }) destroyAt!: Date | null;
  /** When it was destroyed in the vault after its grace (KeyVersionDestroyed); null: not destroyed on its own. */
  @Column({ name: 'destroyed_at', type: 'timestamptz', nullable: true }) destroyedAt!: Date | null;
}

@Entity({ name: 'rm_backups' })
export class BackupView {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ name: 'backup_id', type: 'text' }) backupId!: string;
  @Column({ name: 'database_id', type: 'text' }) databaseId!: string;
  @Column({ type: 'text' }) kind!: string;
  @Column({ name: 'covered_from', type: 'timestamptz' }) coveredFrom!: Date;
  @Column({ name: 'taken_at', type: 'timestamptz' }) takenAt!: Date;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt!: Date;
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true }) deletedAt!: Date | null;
  @Column({ name: 'key_version_ids', type: 'jsonb' }) keyVersionIds!: string[];
  @Column({ type: 'text' }) protection!: string;
  @Column({ type: 'jsonb', nullable: true }) unrestorable!: Unrestorable | null;
  /** The break-glass grant the retention was last extended past the maximum under (backup.extend-retention); null: never. */
  @Column({ name: 'retention_grant_id', type: 'text', nullable: true }) retentionGrantId!: string | null;
}

export class CreateKeyRingViews1764400000012 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table rm_key_rings (
        tenant_id text primary key, key_custody text not null, rotation_period_days int not null,
        newest_key_version_id text not null, newest_created_at timestamptz not null,
        destroyed boolean not null, databases jsonb not null)`);
    await q.query(`
      create table rm_key_versions (
        key_version_id text primary key, tenant_id text not null, ordinal int not null, status text not null,
        source text not null, created_at timestamptz not null, retain_until timestamptz, retired_at timestamptz,
        backup_ids jsonb not null)`);
    await q.query('create index rm_key_versions_tenant on rm_key_versions (tenant_id, ordinal)');
    await q.query(`
      create table rm_backups (
        tenant_id text not null, backup_id text not null, database_id text not null, kind text not null,
        covered_from timestamptz not null, taken_at timestamptz not null, expires_at timestamptz not null,
        deleted_at timestamptz, key_version_ids jsonb not null, primary key (tenant_id, backup_id))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table rm_backups');
    await q.query('drop table rm_key_versions');
    await q.query('drop table rm_key_rings');
  }
}

/** The backup policy (pitrRetentionDays), backup protection and the unrestorable flag (issue 7). */
export class AddBackupPolicyToKeyRingViews1764400000017 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // Rings projected before the policy existed had the default window (frozen here, as migrations are).
    await q.query('alter table rm_key_rings add column pitr_retention_days int not null default 35');
    await q.query(`alter table rm_backups add column protection text not null default 'customer-key', add column unrestorable jsonb`);
    await q.query('create index rm_backups_unrestorable on rm_backups (tenant_id) where unrestorable is not null');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop index rm_backups_unrestorable');
    await q.query('alter table rm_backups drop column unrestorable, drop column protection');
    await q.query('alter table rm_key_rings drop column pitr_retention_days');
  }
}

/**
 * Issue 8: the projection updates only the rows an event touches instead of folding the whole ring
 * per event. Versions count their backups (`backup_count`) instead of listing them, and remember
 * their last use; `rm_backup_key_versions` (one row per backup and version it needs) answers "the
 * latest expiry of a live backup needing this version" and the backups of a version in pages.
 * The rows cannot be derived from the old ones (the last use of each version was never kept), so
 * the key-ring views are emptied and rebuilt from the log: the projection's checkpoint goes back to 0.
 */
export class IncrementalKeyRingViews1764400000052 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query('truncate rm_key_rings, rm_key_versions, rm_backups');
    await q.query(`update lethe_checkpoints set position = 0, updated_at = now() where processor = 'projection:key-rings'`);
    await q.query('alter table rm_key_versions drop column backup_ids, add column backup_count int not null, add column last_use timestamptz');
    await q.query(`
      create table rm_backup_key_versions (
        tenant_id text not null, key_version_id text not null, backup_id text not null,
        taken_at timestamptz not null, expires_at timestamptz not null, deleted_at timestamptz,
        primary key (tenant_id, backup_id, key_version_id))`);
    // The latest expiry among the live backups needing a version: one index probe, whatever the count.
    await q.query('create index rm_backup_key_versions_expiry on rm_backup_key_versions (key_version_id, expires_at) where deleted_at is null');
    // Paging a version's backups in (taken_at, backup_id) order.
    await q.query('create index rm_backup_key_versions_page on rm_backup_key_versions (tenant_id, key_version_id, taken_at, backup_id)');
    // Paging a tenant's backups in the same order.
    await q.query('create index rm_backups_page on rm_backups (tenant_id, taken_at, backup_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop index rm_backups_page');
    await q.query('drop table rm_backup_key_versions');
    await q.query('truncate rm_key_rings, rm_key_versions, rm_backups');
    await q.query(`update lethe_checkpoints set position = 0, updated_at = now() where processor = 'projection:key-rings'`);
    await q.query(`alter table rm_key_versions drop column last_use, drop column backup_count, add column backup_ids jsonb not null`);
  }
}

/** /metrics counts key versions by status at every scrape: an index, so the count never reads the table. */
export class KeyVersionStatusIndex1764400000120 implements MigrationInterface {
  name = 'KeyVersionStatusIndex1764400000120';

  async up(q: QueryRunner): Promise<void> {
    await q.query('create index if not exists rm_key_versions_status on rm_key_versions (status)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop index if exists rm_key_versions_status');
  }
}

/**
 * Break-glass `key-version.enable`: a retired version enabled again until its grant's window end
 * (`enabled_until`), which its retainUntil includes. No ring had such an event before, so existing
 * rows are right with null.
 */
export class KeyVersionEnabledUntil1764400000200 implements MigrationInterface {
  name = 'KeyVersionEnabledUntil1764400000200';

  async up(q: QueryRunner): Promise<void> {
    await q.query('alter table rm_key_versions add column if not exists enabled_until timestamptz');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('alter table rm_key_versions drop column if exists enabled_until');
  }
}

/** Break-glass backup.extend-retention (issue 16): the grant a backup's retention was last kept past the maximum under. */
export class BackupRetentionGrant1764400000245 implements MigrationInterface {
  name = 'BackupRetentionGrant1764400000245';

  async up(q: QueryRunner): Promise<void> {
    // Every backup projected before has none: no grant could extend a retention before the maximum existed.
    await q.query('alter table rm_backups add column if not exists retention_grant_id text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('alter table rm_backups drop column if exists retention_grant_id');
  }
}

/**
 * P3 grace (LETHE_RETIRED_KEY_GRACE_DAYS): a retired version is disabled, and destroyed at
 * `destroy_at`, recorded at `destroyed_at`. Before the grace existed every retirement destroyed the
 * version at once, which is what a rebuild of those events shows too: backfilled so.
 */
export class RetiredKeyVersionDestruction1764400000250 implements MigrationInterface {
  name = 'RetiredKeyVersionDestruction1764400000250';

  async up(q: QueryRunner): Promise<void> {
    await q.query('alter table rm_key_versions add column if not exists destroy_at timestamptz, add column if not exists destroyed_at timestamptz');
    await q.query(
      `update rm_key_versions set destroy_at = retired_at, destroyed_at = retired_at, status = 'destroyed'
        where retired_at is not null and destroy_at is null`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('alter table rm_key_versions drop column if exists destroy_at, drop column if exists destroyed_at');
  }
}
