// Read queries over the key-ring views (key-ring-view.ts), shaped as the API answers them: a
// tenant's ring with its key versions (each with the number of backups holding it, never the ids),
// and its backups in keyset pages, filtered by the version they need and by status.
import type pg from 'pg';
import { decodeCursor, encodeCursor, isCursorOf, pageLimit, MAX_PAGE_LIMIT, type KeyShape, type Page } from './page-cursor.js';

/** What runs the SQL: a pool or a client (e.g. inside a transaction). */
export interface SqlQueryable {
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/**
 * A backup's status at an instant, from the domain's rules (libs/domain/src/keys/retention.ts `isLive`):
 * - `live`: not deleted and not yet expired (`expiresAt` after the instant): it can be restored and
 *   keeps the versions it needs;
 * - `expired`: not deleted, `expiresAt` at or before the instant: it no longer holds a version back;
 * - `deleted`: deleted early (`BackupDeleted`), whatever its expiry.
 */
export const BACKUP_STATUSES = ['live', 'expired', 'deleted'] as const;
export type BackupStatus = (typeof BACKUP_STATUSES)[number];

const STATUS_SQL: Record<BackupStatus, string> = {
  live: 'b.deleted_at is null and b.expires_at > $now',
  expired: 'b.deleted_at is null and b.expires_at <= $now',
  deleted: 'b.deleted_at is not null',
};

export interface DatabaseStanding {
  readonly databaseId: string;
  /** The version protecting it now, and since when (ISO instant). */
  readonly keyVersionId: string;
  readonly since: string;
}

export interface KeyRingSummary {
  readonly tenantId: string;
  readonly keyCustody: string;
  readonly rotationPeriodDays: number;
  readonly pitrRetentionDays: number;
  readonly newestKeyVersionId: string;
  readonly destroyed: boolean;
  readonly databases: readonly DatabaseStanding[];
}

export interface KeyVersionItem {
  readonly keyVersionId: string;
  /** `active`, `superseded`, `retired` or `destroyed` (the domain's versionStatus). */
  readonly status: string;
  /** `onboarding`, `policy`, `manual` or `detected`. */
  readonly source: string;
  readonly createdAt: string;
  /** ISO instant until which it must stay usable (P3); null while indefinitely or not applicable. For a retired version, the value it was retired at. */
  readonly retainUntil: string | null;
  readonly retiredAt: string | null;
  /** Enabled again under break-glass until then (ISO), after which it is retired again; null otherwise. */
  readonly enabledUntil: string | null;
  /** While retired: when it is destroyed in the vault unless enabled again under break-glass first (ISO); null otherwise. */
  readonly destroyAt: string | null;
  /** When it was destroyed in the vault after its grace as a retired version (ISO); null otherwise (a shred's destruction is the tenant's). */
  readonly destroyedAt: string | null;
  /** Backups not deleted that need it (expired ones included). */
  readonly backupCount: number;
}

export interface BackupItem {
  readonly backupId: string;
  readonly databaseId: string;
  readonly kind: string;
  readonly coveredFrom: string;
  readonly takenAt: string;
  readonly expiresAt: string;
  readonly deletedAt: string | null;
  /** `customer-key` or `platform-key`. */
  readonly protection: string;
  /** The versions it needs (empty for a platform-key backup). */
  readonly keyVersionIds: readonly string[];
  /** Null, or `{reason: 'key-version-retired', keyVersionIds}`: recorded after a version it needs was retired. */
  readonly unrestorable: unknown;
  /** The break-glass grant its retention was last extended past the maximum under; null: never. */
  readonly retentionGrantId: string | null;
  readonly status: BackupStatus;
}

/** What the key-ring views still say about a retired version (the state may have archived its backups). */
export interface RetirementEvidence {
  /** The retainUntil it was retired at (KeyVersionRetired), ISO 8601. */
  readonly retainUntil: string | null;
  /** Backups not deleted that need it (expired ones included), archived ones too. */
  readonly backupCount: number;
}

/** A backup that needs a key version. */
export interface NeedingBackup {
  readonly backupId: string;
  readonly kind: string;
  readonly expiresAt: string;
}

export interface KeyVersionsQuery {
  /** 1..1000, default 1000 (a ring gains one version per rotation period, so most fit one page). */
  readonly limit?: number;
  readonly cursor?: string;
}

export interface BackupsQuery {
  /** Only backups that need this version. */
  readonly keyVersionId?: string;
  readonly status?: BackupStatus;
  /** 1..1000, default 100. */
  readonly limit?: number;
  readonly cursor?: string;
  /** The instant `live` and `expired` are judged at (the engine's clock). */
  readonly now: Date;
}

const VERSIONS_LISTING = 'key-versions';
const BACKUPS_LISTING = 'backups';
const iso = (d: Date | null) => (d ? d.toISOString() : null);

interface VersionRow {
  key_version_id: string;
  ordinal: number;
  status: string;
  source: string;
  created_at: Date;
  retain_until: Date | null;
  retired_at: Date | null;
  enabled_until: Date | null;
  destroy_at: Date | null;
  destroyed_at: Date | null;
  backup_count: number;
}

interface BackupRow {
  backup_id: string;
  database_id: string;
  kind: string;
  covered_from: Date;
  taken_at: Date;
  expires_at: Date;
  deleted_at: Date | null;
  protection: string;
  key_version_ids: string[];
  unrestorable: unknown;
  retention_grant_id: string | null;
}

function backupStatus(row: BackupRow, now: Date): BackupStatus {
  if (row.deleted_at) return 'deleted';
  return row.expires_at.getTime() > now.getTime() ? 'live' : 'expired';
}

const VERSIONS_KEY: KeyShape = ['number'];
const BACKUPS_KEY: KeyShape = ['instant', 'string'];

/** Whether `cursor` is a nextCursor of KeyRingQueries.backups (for validating input up front). */
export const isBackupsCursor = (cursor: string): boolean => isCursorOf({ name: BACKUPS_LISTING, key: BACKUPS_KEY }, cursor);
/** Whether `cursor` is a nextCursor of KeyRingQueries.keyVersions. */
export const isKeyVersionsCursor = (cursor: string): boolean => isCursorOf({ name: VERSIONS_LISTING, key: VERSIONS_KEY }, cursor);

/**
 * The key-ring read queries. Every method answers null (ring) or an empty page for an unknown
 * tenant; InvalidPageRequestError (page-cursor.ts) for a bad `limit` or `cursor`.
 */
export class KeyRingQueries {
  constructor(private readonly db: SqlQueryable) {}

  async ring(tenantId: string): Promise<KeyRingSummary | null> {
    const res = await this.db.query<{
      key_custody: string;
      rotation_period_days: number;
      pitr_retention_days: number;
      newest_key_version_id: string;
      destroyed: boolean;
      databases: DatabaseStanding[];
    }>(
      `select key_custody, rotation_period_days, pitr_retention_days, newest_key_version_id, destroyed, databases
         from rm_key_rings where tenant_id = $1`,
      [tenantId],
    );
    const r = res.rows[0];
    if (!r) return null;
    return {
      tenantId,
      keyCustody: r.key_custody,
      rotationPeriodDays: r.rotation_period_days,
      pitrRetentionDays: r.pitr_retention_days,
      newestKeyVersionId: r.newest_key_version_id,
      destroyed: r.destroyed,
      databases: r.databases,
    };
  }

  /** The tenant's key versions, oldest first (the order they were added). */
  async keyVersions(tenantId: string, query: KeyVersionsQuery = {}): Promise<Page<KeyVersionItem>> {
    const limit = pageLimit(query.limit ?? MAX_PAGE_LIMIT);
    const after = query.cursor === undefined ? -1 : (decodeCursor(VERSIONS_LISTING, query.cursor, VERSIONS_KEY)[0] as number);
    const res = await this.db.query<VersionRow>(
      `select key_version_id, ordinal, status, source, created_at, retain_until, retired_at, enabled_until, destroy_at, destroyed_at, backup_count
         from rm_key_versions where tenant_id = $1 and ordinal > $2 order by ordinal limit $3`,
      [tenantId, after, limit + 1],
    );
    const rows = res.rows.slice(0, limit);
    const more = res.rows.length > limit;
    return {
      items: rows.map((v) => ({
        keyVersionId: v.key_version_id,
        status: v.status,
        source: v.source,
        createdAt: v.created_at.toISOString(),
        retainUntil: iso(v.retain_until),
        retiredAt: iso(v.retired_at),
        enabledUntil: iso(v.enabled_until),
        destroyAt: iso(v.destroy_at),
        destroyedAt: iso(v.destroyed_at),
        backupCount: v.backup_count,
      })),
      nextCursor: more ? encodeCursor(VERSIONS_LISTING, [rows[rows.length - 1].ordinal]) : null,
    };
  }

  /** The tenant's retired versions as the views recorded them, by key version id. */
  async retirements(tenantId: string): Promise<Map<string, RetirementEvidence>> {
    const res = await this.db.query<{ key_version_id: string; retain_until: Date | null; backup_count: number }>(
      'select key_version_id, retain_until, backup_count from rm_key_versions where tenant_id = $1 and retired_at is not null',
      [tenantId],
    );
    return new Map(res.rows.map((r) => [r.key_version_id, { retainUntil: iso(r.retain_until), backupCount: r.backup_count }]));
  }

  /**
   * Up to `limit` backups not deleted that need the version, latest expiry first (one probe of the
   * version's expiry index), the views' `backupsHolding`. A backup recorded after the version was
   * retired (flagged unrestorable for it) never held it back and is left out.
   */
  async backupsNeeding(tenantId: string, keyVersionId: string, limit: number): Promise<NeedingBackup[]> {
    const res = await this.db.query<{ backup_id: string; kind: string; expires_at: Date }>(
      `select b.backup_id, b.kind, b.expires_at
         from rm_backup_key_versions k join rm_backups b on b.tenant_id = k.tenant_id and b.backup_id = k.backup_id
        where k.key_version_id = $2 and k.tenant_id = $1 and k.deleted_at is null
          and not coalesce(b.unrestorable->'keyVersionIds' ? $2, false)
        order by k.expires_at desc, k.backup_id desc
        limit $3`,
      [tenantId, keyVersionId, limit],
    );
    return res.rows.map((r) => ({ backupId: r.backup_id, kind: r.kind, expiresAt: r.expires_at.toISOString() }));
  }

  /** The tenant's backups in (takenAt, backupId) order, oldest first. */
  async backups(tenantId: string, query: BackupsQuery): Promise<Page<BackupItem>> {
    const limit = pageLimit(query.limit);
    const after = query.cursor === undefined ? null : (decodeCursor(BACKUPS_LISTING, query.cursor, BACKUPS_KEY) as [string, string]);
    const values: unknown[] = [tenantId, limit + 1];
    const where: string[] = [];
    const param = (value: unknown) => `$${values.push(value)}`;
    // The keyset walks the index of the table it reads: the version's backups, or the tenant's.
    const keyed = query.keyVersionId === undefined ? 'b' : 'k';
    if (after) where.push(`(${keyed}.taken_at, ${keyed}.backup_id) > (${param(after[0])}::timestamptz, ${param(after[1])})`);
    if (query.status) {
      const condition = STATUS_SQL[query.status];
      where.push(condition.includes('$now') ? condition.replaceAll('$now', param(query.now)) : condition);
    }
    const from =
      query.keyVersionId === undefined
        ? 'rm_backups b where b.tenant_id = $1'
        : `rm_backup_key_versions k join rm_backups b on b.tenant_id = k.tenant_id and b.backup_id = k.backup_id
            where k.tenant_id = $1 and k.key_version_id = ${param(query.keyVersionId)}`;
    const res = await this.db.query<BackupRow>(
      `select b.backup_id, b.database_id, b.kind, b.covered_from, b.taken_at, b.expires_at, b.deleted_at, b.protection,
              b.key_version_ids, b.unrestorable, b.retention_grant_id
         from ${from} ${where.map((w) => `and ${w}`).join(' ')}
        order by ${keyed}.taken_at, ${keyed}.backup_id limit $2`,
      values,
    );
    const rows = res.rows.slice(0, limit);
    const last = rows[rows.length - 1];
    return {
      items: rows.map((b) => ({
        backupId: b.backup_id,
        databaseId: b.database_id,
        kind: b.kind,
        coveredFrom: b.covered_from.toISOString(),
        takenAt: b.taken_at.toISOString(),
        expiresAt: b.expires_at.toISOString(),
        deletedAt: iso(b.deleted_at),
        protection: b.protection,
        keyVersionIds: b.key_version_ids,
        unrestorable: b.unrestorable,
        retentionGrantId: b.retention_grant_id,
        status: backupStatus(b, query.now),
      })),
      nextCursor: res.rows.length > limit ? encodeCursor(BACKUPS_LISTING, [last.taken_at.toISOString(), last.backup_id]) : null,
    };
  }
}
