// Keeps the key-ring read models (key-ring-view.ts) from the `keys-<tenantId>` streams, one event at
// a time (or a page at once, handleBatch), touching only the rows the event changes: its cost does not grow with the ring's age or
// its number of backups. What a row shows is what the domain's evolve and retention rules give for
// the ring as of that event (libs/domain/src/keys/retention.ts); where a value depends on other rows
// (a version's retainUntil on the live backups needing it), it is recomputed in SQL from the read
// model's own rows and indexes, never by reading the stream.
import type pg from 'pg';
import { keyRingCategory, type KeyRingEvent } from '@lethe/domain';
import { on, type Delivered, type Processor } from '@lethe/processors';

const INTERESTS = [on(keyRingCategory, keyRingCategory.types)] as const;

interface DatabaseEntry {
  readonly databaseId: string;
  readonly keyVersionId: string;
  readonly since: string;
}

/**
 * Status and retainUntil of the given versions, from the ring row, the version's own columns, the
 * next version (by ordinal) and the live backups needing it, exactly as `versionStatus` and
 * `retainUntil` decide them:
 * - destroyed: the ring shredded, or the version destroyed after its grace as a retired version;
 * - retired: keeps the retainUntil it was retired at (the evidence);
 * - destroyed ring, newest version, or a database still on it: null;
 * - otherwise the latest of (last use + pitrRetentionDays × 24 h, or the next version's creation
 *   for a version that never protected anything), every non-deleted backup's expiry (but those
 *   flagged unrestorable for the version, recorded while it was retired), and the end
 *   of a break-glass re-enabling (`enabled_until`; greatest ignores it while null).
 * The pitr window is added in hours: the domain adds whole 24-hour days, not calendar days.
 */
const RECOMPUTE = `
  update rm_key_versions v set
    status = case
      when r.destroyed or v.destroyed_at is not null then 'destroyed'
      when v.retired_at is not null then 'retired'
      when r.newest_key_version_id = v.key_version_id then 'active'
      else 'superseded' end,
    retain_until = case
      when v.retired_at is not null then v.retain_until
      when r.destroyed or r.newest_key_version_id = v.key_version_id then null
      when exists (select 1 from jsonb_array_elements(r.databases) d where d->>'keyVersionId' = v.key_version_id) then null
      else greatest(
        case when v.last_use is null
          then (select n.created_at from rm_key_versions n where n.tenant_id = v.tenant_id and n.ordinal = v.ordinal + 1)
          else v.last_use + make_interval(hours => 24 * r.pitr_retention_days) end,
        case when v.enabled_until is null
          then (select max(b.expires_at) from rm_backup_key_versions b where b.key_version_id = v.key_version_id and b.deleted_at is null)
          -- Enabled again after a retirement: the backups recorded while it was retired (flagged
          -- unrestorable for it) do not hold it; only a version once retired can have any.
          else (select max(b.expires_at) from rm_backup_key_versions b join rm_backups u on u.tenant_id = b.tenant_id and u.backup_id = b.backup_id
                 where b.key_version_id = v.key_version_id and b.deleted_at is null and not coalesce(u.unrestorable->'keyVersionIds' ? v.key_version_id, false))
          end,
        v.enabled_until)
      end
  from rm_key_rings r
  where r.tenant_id = v.tenant_id and v.tenant_id = $1 and v.key_version_id = any($2::text[])`;

const RECOMPUTE_ALL = `${RECOMPUTE.replace('and v.key_version_id = any($2::text[])', '')}`;

/** RECOMPUTE_ALL for several rings: $1 their tenant ids. */
const RECOMPUTE_RINGS = `${RECOMPUTE.replace('v.tenant_id = $1 and v.key_version_id = any($2::text[])', 'v.tenant_id = any($1::text[])')}`;

/**
 * RECOMPUTE for (tenant, version) pairs of several tenants: $1 their tenant ids, $2 their version ids.
 * Pairs come as arrays, not a JSON record set: the planner sizes `unnest` by the array and probes the
 * version index, where it takes a record set for 100 rows and scans every version of the fleet.
 */
const RECOMPUTE_MANY = `${RECOMPUTE.replace(
  'v.tenant_id = $1 and v.key_version_id = any($2::text[])',
  '(v.tenant_id, v.key_version_id) in (select tenant_id, key_version_id from unnest($1::text[], $2::text[]) as p(tenant_id, key_version_id))',
)}`;

export class KeyRingsProjection implements Processor<typeof INTERESTS> {
  readonly name = 'projection:key-rings';
  readonly interests = INTERESTS;

  async handle(event: Delivered<typeof INTERESTS>, tx: pg.PoolClient): Promise<void> {
    await apply(tx, event.categoryId, event);
  }

  /**
   * A page at once (a rebuild's, or what the live runner hands over together). Runs of consecutive
   * events of one type that has a set-wise form are written together, every other event as `handle`
   * writes it, in log order:
   * - `BackupRecorded` of any tenants (most of a fleet's key-ring events): a run only inserts rows and
   *   adds to counts, which commute, and RECOMPUTE is a function of the rows, so recomputing each
   *   touched version once at the end of the run gives what recomputing after each event gives;
   * - `KeyRingOpened`, `KeyRingDestroyed`, `KeyVersionRetired`, `KeyVersionDestroyed` of distinct
   *   tenants (a tenant met twice ends the run): an event changes only its own tenant's rows, and
   *   RECOMPUTE reads only the tenant's own rows, so the events of a run commute.
   */
  async handleBatch(events: readonly Delivered<typeof INTERESTS>[], tx: pg.PoolClient): Promise<void> {
    let run: SetWiseEvent[] = [];
    const tenants = new Set<string>();
    const flush = async () => {
      await applyRun(tx, run);
      run = [];
      tenants.clear();
    };
    for (const event of events) {
      if (!isSetWise(event)) {
        await flush();
        await apply(tx, event.categoryId, event);
        continue;
      }
      const joins = run.length > 0 && run[0].type === event.type && (event.type === 'BackupRecorded' || !tenants.has(event.categoryId));
      if (!joins) await flush();
      run.push(event);
      tenants.add(event.categoryId);
    }
    await flush();
  }
}

type Event = Delivered<typeof INTERESTS>;
const SET_WISE = ['BackupRecorded', 'KeyRingOpened', 'KeyRingDestroyed', 'KeyVersionRetired', 'KeyVersionDestroyed'] as const;
type SetWiseEvent = Extract<Event, { type: (typeof SET_WISE)[number] }>;
const isSetWise = (event: Event): event is SetWiseEvent => (SET_WISE as readonly string[]).includes(event.type);
type Of<T extends SetWiseEvent['type']> = Extract<Event, { type: T }>;

/** A run from handleBatch (one type; distinct tenants but for backups), leaving the rows `apply` leaves for each in turn. */
async function applyRun(tx: pg.PoolClient, run: readonly SetWiseEvent[]): Promise<void> {
  if (run.length === 0) return;
  if (run.length === 1) return apply(tx, run[0].categoryId, run[0]);
  switch (run[0].type) {
    case 'BackupRecorded':
      return recordBackups(tx, run as readonly Of<'BackupRecorded'>[]);
    case 'KeyRingOpened':
      return openRings(tx, run as readonly Of<'KeyRingOpened'>[]);
    case 'KeyRingDestroyed':
      return destroyRings(tx, run as readonly Of<'KeyRingDestroyed'>[]);
    case 'KeyVersionRetired':
      return retireVersions(tx, run as readonly Of<'KeyVersionRetired'>[]);
    case 'KeyVersionDestroyed':
      return destroyVersions(tx, run as readonly Of<'KeyVersionDestroyed'>[]);
  }
}

/** The ring row and first version row `apply` inserts for a KeyRingOpened, for rings of distinct tenants. */
async function openRings(tx: pg.PoolClient, events: readonly Of<'KeyRingOpened'>[]): Promise<void> {
  const rings = events.map(({ categoryId, data: d }) => ({
    tenant_id: categoryId,
    key_custody: d.keyCustody,
    rotation_period_days: d.rotationPeriodDays,
    pitr_retention_days: d.pitrRetentionDays,
    newest_key_version_id: d.version.keyVersionId,
    newest_created_at: d.version.createdAt,
    databases: openedDatabases(d),
  }));
  await tx.query(
    `insert into rm_key_rings (tenant_id, key_custody, rotation_period_days, pitr_retention_days, newest_key_version_id, newest_created_at, destroyed, databases)
     select tenant_id, key_custody, rotation_period_days, pitr_retention_days, newest_key_version_id, newest_created_at, false, databases
       from jsonb_to_recordset($1::jsonb) as r(tenant_id text, key_custody text, rotation_period_days int, pitr_retention_days int,
            newest_key_version_id text, newest_created_at timestamptz, databases jsonb)`,
    [JSON.stringify(rings)],
  );
  await tx.query(
    `insert into rm_key_versions (key_version_id, tenant_id, ordinal, status, source, created_at, retain_until, retired_at, backup_count, last_use)
     select key_version_id, tenant_id, 0, 'active', 'onboarding', created_at, null, null, 0, null
       from unnest($1::text[], $2::text[], $3::timestamptz[]) as r(key_version_id, tenant_id, created_at)`,
    [events.map((e) => e.data.version.keyVersionId), events.map((e) => e.categoryId), events.map((e) => e.data.version.createdAt)],
  );
}

/** KeyRingDestroyed of distinct tenants: every version of each ring recomputed (all destroyed). */
async function destroyRings(tx: pg.PoolClient, events: readonly Of<'KeyRingDestroyed'>[]): Promise<void> {
  const tenantIds = events.map((e) => e.categoryId);
  await tx.query('update rm_key_rings set destroyed = true where tenant_id = any($1::text[])', [tenantIds]);
  await tx.query(RECOMPUTE_RINGS, [tenantIds]);
}

/** KeyVersionRetired of distinct tenants, as `apply` writes each. */
async function retireVersions(tx: pg.PoolClient, events: readonly Of<'KeyVersionRetired'>[]): Promise<void> {
  const tenantIds = events.map((e) => e.categoryId);
  const keyVersionIds = events.map((e) => e.data.keyVersionId);
  await tx.query(
    `update rm_key_versions v set retired_at = r.at, retain_until = r.retain_until, enabled_until = null, destroy_at = coalesce(r.destroy_at, r.at),
       destroyed_at = case when r.destroy_at is null then r.at else null end
       from unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[]) as r(tenant_id, key_version_id, at, retain_until, destroy_at)
      where v.tenant_id = r.tenant_id and v.key_version_id = r.key_version_id`,
    [tenantIds, keyVersionIds, events.map((e) => e.data.at), events.map((e) => e.data.retainUntil), events.map((e) => e.data.destroyAt ?? null)],
  );
  await tx.query(RECOMPUTE_MANY, [tenantIds, keyVersionIds]);
}

/** KeyVersionDestroyed of distinct tenants, as `apply` writes each. */
async function destroyVersions(tx: pg.PoolClient, events: readonly Of<'KeyVersionDestroyed'>[]): Promise<void> {
  const tenantIds = events.map((e) => e.categoryId);
  const keyVersionIds = events.map((e) => e.data.keyVersionId);
  await tx.query(
    `update rm_key_versions v set destroyed_at = r.at
       from unnest($1::text[], $2::text[], $3::timestamptz[]) as r(tenant_id, key_version_id, at)
      where v.tenant_id = r.tenant_id and v.key_version_id = r.key_version_id`,
    [tenantIds, keyVersionIds, events.map((e) => e.data.at)],
  );
  await tx.query(RECOMPUTE_MANY, [tenantIds, keyVersionIds]);
}

/** Several `BackupRecorded` at once, leaving the rows `apply` leaves for each in turn. */
async function recordBackups(tx: pg.PoolClient, events: readonly Of<'BackupRecorded'>[]): Promise<void> {
  const backups = events.map(({ categoryId, data: d }) => ({
    tenant_id: categoryId,
    backup_id: d.backupId,
    database_id: d.databaseId,
    kind: d.kind,
    covered_from: d.coveredFrom,
    taken_at: d.takenAt,
    expires_at: d.expiresAt,
    key_version_ids: d.keyVersionIds,
    protection: d.protection,
    unrestorable: d.unrestorable,
    retention_grant_id: d.grantId ?? null,
  }));
  await tx.query(
    `insert into rm_backups (tenant_id, backup_id, database_id, kind, covered_from, taken_at, expires_at, deleted_at, key_version_ids, protection, unrestorable, retention_grant_id)
     select tenant_id, backup_id, database_id, kind, covered_from, taken_at, expires_at, null, key_version_ids, protection, unrestorable, retention_grant_id
       from jsonb_to_recordset($1::jsonb) as r(tenant_id text, backup_id text, database_id text, kind text, covered_from timestamptz,
            taken_at timestamptz, expires_at timestamptz, key_version_ids jsonb, protection text, unrestorable jsonb, retention_grant_id text)`,
    [JSON.stringify(backups)],
  );
  const needs = events.flatMap(({ categoryId, data: d }) =>
    d.keyVersionIds.map((keyVersionId) => ({ tenant_id: categoryId, key_version_id: keyVersionId, backup_id: d.backupId, taken_at: d.takenAt, expires_at: d.expiresAt })),
  );
  if (needs.length === 0) return;
  await tx.query(
    `insert into rm_backup_key_versions (tenant_id, key_version_id, backup_id, taken_at, expires_at, deleted_at)
     select tenant_id, key_version_id, backup_id, taken_at, expires_at, null
       from jsonb_to_recordset($1::jsonb) as r(tenant_id text, key_version_id text, backup_id text, taken_at timestamptz, expires_at timestamptz)`,
    [JSON.stringify(needs)],
  );
  // The pairs go to the index as arrays (RECOMPUTE_MANY says why).
  const tenantIds = needs.map((n) => n.tenant_id);
  const keyVersionIds = needs.map((n) => n.key_version_id);
  await tx.query(
    `update rm_key_versions v set backup_count = v.backup_count + n.count
       from (select tenant_id, key_version_id, count(*)::int as count
               from unnest($1::text[], $2::text[]) as r(tenant_id, key_version_id) group by 1, 2) n
      where v.tenant_id = n.tenant_id and v.key_version_id = n.key_version_id`,
    [tenantIds, keyVersionIds],
  );
  await tx.query(RECOMPUTE_MANY, [tenantIds, keyVersionIds]);
}

/** A new ring's databases, all on its first version since its opening. */
function openedDatabases(d: Of<'KeyRingOpened'>['data']): DatabaseEntry[] {
  return d.databases.map((databaseId) => ({ databaseId, keyVersionId: d.version.keyVersionId, since: d.at }));
}

async function recompute(tx: pg.PoolClient, tenantId: string, keyVersionIds: readonly string[]): Promise<void> {
  if (keyVersionIds.length > 0) await tx.query(RECOMPUTE, [tenantId, keyVersionIds]);
}

async function ringDatabases(tx: pg.PoolClient, tenantId: string): Promise<DatabaseEntry[] | null> {
  const res = await tx.query<{ databases: DatabaseEntry[] }>('select databases from rm_key_rings where tenant_id = $1', [tenantId]);
  return res.rows[0]?.databases ?? null;
}

async function setDatabases(tx: pg.PoolClient, tenantId: string, databases: readonly DatabaseEntry[]): Promise<void> {
  await tx.query('update rm_key_rings set databases = $2 where tenant_id = $1', [tenantId, JSON.stringify(databases)]);
}

/** The versions a backup needs, from the read model (the event that changes it names only the backup). */
async function versionsOfBackup(tx: pg.PoolClient, tenantId: string, backupId: string): Promise<string[]> {
  const res = await tx.query<{ key_version_id: string }>(
    'select key_version_id from rm_backup_key_versions where tenant_id = $1 and backup_id = $2',
    [tenantId, backupId],
  );
  return res.rows.map((r) => r.key_version_id);
}

async function apply(tx: pg.PoolClient, tenantId: string, event: KeyRingEvent): Promise<void> {
  switch (event.type) {
    case 'KeyRingOpened': {
      const d = event.data;
      const databases = openedDatabases(d);
      await tx.query(
        `insert into rm_key_rings (tenant_id, key_custody, rotation_period_days, pitr_retention_days, newest_key_version_id, newest_created_at, destroyed, databases)
         values ($1, $2, $3, $4, $5, $6, false, $7)`,
        [
          tenantId,
          d.keyCustody,
          d.rotationPeriodDays,
          d.pitrRetentionDays,
          d.version.keyVersionId,
          d.version.createdAt,
          JSON.stringify(databases),
        ],
      );
      await tx.query(
        `insert into rm_key_versions (key_version_id, tenant_id, ordinal, status, source, created_at, retain_until, retired_at, backup_count, last_use)
         values ($1, $2, 0, 'active', 'onboarding', $3, null, null, 0, null)`,
        [d.version.keyVersionId, tenantId, d.version.createdAt],
      );
      return;
    }
    case 'KeyVersionAdded': {
      const d = event.data;
      const previous = await tx.query<{ newest_key_version_id: string }>(
        `update rm_key_rings r set newest_key_version_id = $2, newest_created_at = $3
           from (select newest_key_version_id from rm_key_rings where tenant_id = $1) old
          where r.tenant_id = $1 returning old.newest_key_version_id`,
        [tenantId, d.keyVersionId, d.createdAt],
      );
      if (previous.rowCount === 0) return;
      await tx.query(
        `insert into rm_key_versions (key_version_id, tenant_id, ordinal, status, source, created_at, retain_until, retired_at, backup_count, last_use)
         select $1, $2, coalesce(max(ordinal) + 1, 0), 'active', $3, $4, null, null, 0, null from rm_key_versions where tenant_id = $2`,
        [d.keyVersionId, tenantId, d.source, d.createdAt],
      );
      await recompute(tx, tenantId, [previous.rows[0].newest_key_version_id, d.keyVersionId]);
      return;
    }
    case 'DatabaseReprotected': {
      const d = event.data;
      const databases = await ringDatabases(tx, tenantId);
      const current = databases?.find((db) => db.databaseId === d.databaseId);
      if (!databases || !current) return;
      // As evolve does: the open interval closes at `at` whichever version it was on.
      await setDatabases(
        tx,
        tenantId,
        databases.map((db) => (db.databaseId === d.databaseId ? { databaseId: db.databaseId, keyVersionId: d.toKeyVersionId, since: d.at } : db)),
      );
      await tx.query('update rm_key_versions set last_use = greatest(last_use, $3) where tenant_id = $1 and key_version_id = $2', [
        tenantId,
        current.keyVersionId,
        d.at,
      ]);
      await recompute(tx, tenantId, [current.keyVersionId, d.toKeyVersionId]);
      return;
    }
    case 'DatabaseAdded': {
      const d = event.data;
      const databases = await ringDatabases(tx, tenantId);
      if (!databases) return;
      await setDatabases(tx, tenantId, [...databases, { databaseId: d.databaseId, keyVersionId: d.keyVersionId, since: d.at }]);
      await recompute(tx, tenantId, [d.keyVersionId]);
      return;
    }
    case 'RotationPeriodChanged':
      await tx.query('update rm_key_rings set rotation_period_days = $2 where tenant_id = $1', [tenantId, event.data.rotationPeriodDays]);
      return;
    case 'BackupPolicyChanged':
      // Every version's floor moves: one statement over the ring's versions (never its backups).
      await tx.query('update rm_key_rings set pitr_retention_days = $2 where tenant_id = $1', [tenantId, event.data.pitrRetentionDays]);
      await tx.query(RECOMPUTE_ALL, [tenantId]);
      return;
    case 'BackupRecorded': {
      const d = event.data;
      await tx.query(
        `insert into rm_backups (tenant_id, backup_id, database_id, kind, covered_from, taken_at, expires_at, deleted_at, key_version_ids, protection, unrestorable, retention_grant_id)
         values ($1, $2, $3, $4, $5, $6, $7, null, $8, $9, $10, $11)`,
        [
          tenantId,
          d.backupId,
          d.databaseId,
          d.kind,
          d.coveredFrom,
          d.takenAt,
          d.expiresAt,
          JSON.stringify(d.keyVersionIds),
          d.protection,
          d.unrestorable ? JSON.stringify(d.unrestorable) : null,
          d.grantId ?? null,
        ],
      );
      if (d.keyVersionIds.length === 0) return;
      await tx.query(
        `insert into rm_backup_key_versions (tenant_id, key_version_id, backup_id, taken_at, expires_at, deleted_at)
         select $1, k, $2, $3, $4, null from unnest($5::text[]) k`,
        [tenantId, d.backupId, d.takenAt, d.expiresAt, d.keyVersionIds],
      );
      await tx.query('update rm_key_versions set backup_count = backup_count + 1 where tenant_id = $1 and key_version_id = any($2::text[])', [
        tenantId,
        d.keyVersionIds,
      ]);
      await recompute(tx, tenantId, d.keyVersionIds);
      return;
    }
    case 'BackupRetentionChanged': {
      const d = event.data;
      // A change without a grant (a shortening, or one within the maximum) keeps the grant of the last extension.
      await tx.query('update rm_backups set expires_at = $3, retention_grant_id = coalesce($4, retention_grant_id) where tenant_id = $1 and backup_id = $2', [
        tenantId,
        d.backupId,
        d.expiresAt,
        d.grantId ?? null,
      ]);
      await tx.query('update rm_backup_key_versions set expires_at = $3 where tenant_id = $1 and backup_id = $2', [tenantId, d.backupId, d.expiresAt]);
      await recompute(tx, tenantId, await versionsOfBackup(tx, tenantId, d.backupId));
      return;
    }
    case 'BackupDeleted': {
      const d = event.data;
      const was = await tx.query<{ deleted_at: Date | null }>('select deleted_at from rm_backups where tenant_id = $1 and backup_id = $2', [
        tenantId,
        d.backupId,
      ]);
      if (was.rowCount === 0) return;
      await tx.query('update rm_backups set deleted_at = $3 where tenant_id = $1 and backup_id = $2', [tenantId, d.backupId, d.at]);
      const versions = await tx.query<{ key_version_id: string }>(
        'update rm_backup_key_versions set deleted_at = $3 where tenant_id = $1 and backup_id = $2 returning key_version_id',
        [tenantId, d.backupId, d.at],
      );
      const ids = versions.rows.map((r) => r.key_version_id);
      // A backup counts for its versions until it is first deleted.
      if (was.rows[0].deleted_at === null && ids.length > 0) {
        await tx.query('update rm_key_versions set backup_count = backup_count - 1 where tenant_id = $1 and key_version_id = any($2::text[])', [tenantId, ids]);
      }
      await recompute(tx, tenantId, ids);
      return;
    }
    case 'KeyVersionRetired': {
      const d = event.data;
      // As evolve does: a retirement recorded before the grace existed (no destroyAt) destroyed the version at once.
      await tx.query(
        `update rm_key_versions set retired_at = $3, retain_until = $4, enabled_until = null, destroy_at = coalesce($5, $3::timestamptz),
           destroyed_at = case when $5::timestamptz is null then $3::timestamptz else null end
         where tenant_id = $1 and key_version_id = $2`,
        [tenantId, d.keyVersionId, d.at, d.retainUntil, d.destroyAt ?? null],
      );
      await recompute(tx, tenantId, [d.keyVersionId]);
      return;
    }
    case 'KeyVersionEnabled': {
      // As evolve does: not retired any more, needed until the grant's window end.
      const d = event.data;
      await tx.query('update rm_key_versions set retired_at = null, enabled_until = $3, destroy_at = null where tenant_id = $1 and key_version_id = $2', [tenantId, d.keyVersionId, d.until]);
      await recompute(tx, tenantId, [d.keyVersionId]);
      return;
    }
    case 'KeyVersionDestroyed': {
      const d = event.data;
      await tx.query('update rm_key_versions set destroyed_at = $3 where tenant_id = $1 and key_version_id = $2', [tenantId, d.keyVersionId, d.at]);
      await recompute(tx, tenantId, [d.keyVersionId]);
      return;
    }
    case 'KeyRingDestroyed':
      await tx.query('update rm_key_rings set destroyed = true where tenant_id = $1', [tenantId]);
      await tx.query(RECOMPUTE_ALL, [tenantId]);
      return;
    case 'DatabaseRotationOverdue':
    case 'KeyRotationDue':
    case 'StagingAssetRegistered':
      // Not shown by the key-ring views.
      return;
  }
}
