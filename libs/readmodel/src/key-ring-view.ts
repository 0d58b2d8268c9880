// Read models of each tenant's key ring: the ring (custody, period, backup policy, newest version,
// where each database stands), its versions (status, retainUntil, the backups holding each), and
// backups (protection, and the flag of one recorded after a version it needs was retired).
// The projection folds the ring's stream with the domain's own evolve and retention rules, so
// GET /keys and /compliance show exactly what the deciders decide on.
import type pg from 'pg';
import { Column, Entity, PrimaryColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import {
  backupsHolding,
  evolveKeyRing,
  initialKeyRingState,
  keyRingStream,
  newestVersion,
  retainUntil,
  versionStatus,
  type KeyRingEvent,
  type Unrestorable,
} from '@lethe/domain';
import type { EventStore, RecordedEvent } from '@lethe/eventstore';
import type { Processor } from '@lethe/processors';

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
  @Column({ name: 'backup_ids', type: 'jsonb' }) backupIds!: string[];
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

const BACKUP_EVENTS = new Set(['BackupRecorded', 'BackupRetentionChanged', 'BackupDeleted']);

export class KeyRingsProjection implements Processor {
  readonly name = 'projection:key-rings';

  constructor(private readonly store: EventStore) {}

  async handle(event: RecordedEvent, tx: pg.PoolClient): Promise<void> {
    if (!event.streamId.startsWith('keys-')) return;
    const tenantId = event.streamId.slice('keys-'.length);
    // The ring as of this event (not later ones), so replaying the projection gives the same rows.
    const events = await this.store.readStream(keyRingStream(tenantId), { limit: Number(event.revision) + 1 });
    const state = events.map((e) => ({ type: e.type, data: e.data }) as KeyRingEvent).reduce(evolveKeyRing, initialKeyRingState);
    // A retired version keeps showing the retainUntil it was retired at (the evidence).
    const retiredAt = new Map(
      events.filter((e) => e.type === 'KeyVersionRetired').map((e) => [(e.data as { keyVersionId: string }).keyVersionId, (e.data as { retainUntil: string }).retainUntil]),
    );
    const newest = newestVersion(state);
    if (!state.exists || !newest) return;
    await tx.query(
      `insert into rm_key_rings (tenant_id, key_custody, rotation_period_days, newest_key_version_id, newest_created_at, destroyed, databases, pitr_retention_days)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (tenant_id) do update set key_custody = excluded.key_custody, rotation_period_days = excluded.rotation_period_days,
         pitr_retention_days = excluded.pitr_retention_days,
         newest_key_version_id = excluded.newest_key_version_id, newest_created_at = excluded.newest_created_at,
         destroyed = excluded.destroyed, databases = excluded.databases`,
      [
        tenantId,
        state.keyCustody,
        state.rotationPeriodDays,
        newest.keyVersionId,
        newest.createdAt,
        state.destroyed,
        JSON.stringify(
          state.databases.map((db) => {
            const open = db.intervals[db.intervals.length - 1];
            return { databaseId: db.databaseId, keyVersionId: open.keyVersionId, since: open.from };
          }),
        ),
        state.pitrRetentionDays,
      ],
    );
    for (const [ordinal, v] of state.versions.entries()) {
      await tx.query(
        `insert into rm_key_versions (key_version_id, tenant_id, ordinal, status, source, created_at, retain_until, retired_at, backup_ids)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (key_version_id) do update set status = excluded.status, retain_until = excluded.retain_until,
           retired_at = excluded.retired_at, backup_ids = excluded.backup_ids`,
        [
          v.keyVersionId,
          tenantId,
          ordinal,
          versionStatus(state, v.keyVersionId),
          v.source,
          v.createdAt,
          v.retiredAt ? (retiredAt.get(v.keyVersionId) ?? null) : state.destroyed ? null : retainUntil(state, v.keyVersionId),
          v.retiredAt,
          JSON.stringify(backupsHolding(state, v.keyVersionId)),
        ],
      );
    }
    if (BACKUP_EVENTS.has(event.type)) {
      const b = state.backups.find((x) => x.backupId === (event.data as { backupId: string }).backupId);
      if (!b) return;
      await tx.query(
        `insert into rm_backups (tenant_id, backup_id, database_id, kind, covered_from, taken_at, expires_at, deleted_at, key_version_ids, protection, unrestorable)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         on conflict (tenant_id, backup_id) do update set expires_at = excluded.expires_at, deleted_at = excluded.deleted_at`,
        [
          tenantId,
          b.backupId,
          b.databaseId,
          b.kind,
          b.coveredFrom,
          b.takenAt,
          b.expiresAt,
          b.deletedAt,
          JSON.stringify(b.keyVersionIds),
          b.protection,
          b.unrestorable ? JSON.stringify(b.unrestorable) : null,
        ],
      );
    }
  }
}
