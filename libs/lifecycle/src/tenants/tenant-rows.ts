// The columns a tenant answer shows (GET /v1/tenants and /v1/tenants/{id} once projected), read in
// one statement with the key ring's databases beside them. Dashboards page through the whole fleet:
// reading only these columns (not the folded aggregate state the read model keeps for the projection)
// and skipping entity hydration is what keeps a page of 100 cheap at hundreds of requests a second.
import type { DataSource } from 'typeorm';
import type { PartialHolidays, TenantStatus } from '@lethe/domain';
import type { ShredView } from '@lethe/readmodel';

export interface TenantRow {
  readonly tenantId: string;
  readonly status: TenantStatus;
  readonly jurisdiction: string;
  readonly timeZone: string;
  readonly keyCustody: string;
  readonly backupKeyMode: string;
  readonly shredGraceWorkingDays: number;
  readonly excludedHolidayTypes: readonly string[];
  readonly partialHolidays: PartialHolidays;
  /** The key ring's databases (their owner), or, while the ring is still being opened, the ones onboarding asked for. */
  readonly databases: readonly { readonly databaseId: string }[];
  /** ISO 8601. */
  readonly onboardedAt: string;
  readonly shred: ShredView | null;
}

export interface TenantRowFilter {
  readonly tenantId?: string;
  readonly status?: TenantStatus;
  readonly jurisdiction?: string;
  /** Only tenants whose id sorts after this one (keyset paging). */
  readonly after?: string;
}

interface Selected extends Omit<TenantRow, 'databases' | 'onboardedAt'> {
  readonly databases: readonly { readonly databaseId: string }[] | null;
  readonly onboardedAt: Date;
}

/** Up to `limit` tenants matching `filter`, in tenantId order. */
export async function selectTenantRows(db: Pick<DataSource, 'query'>, filter: TenantRowFilter, limit: number): Promise<TenantRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.tenantId !== undefined) add('t.tenant_id = ?', filter.tenantId);
  if (filter.status !== undefined) add('t.status = ?', filter.status);
  if (filter.jurisdiction !== undefined) add('t.jurisdiction = ?', filter.jurisdiction);
  if (filter.after !== undefined) add('t.tenant_id > ?', filter.after);
  params.push(limit);
  const rows: Selected[] = await db.query(
    `select t.tenant_id as "tenantId", t.status, t.jurisdiction, t.time_zone as "timeZone", t.key_custody as "keyCustody",
            t.backup_key_mode as "backupKeyMode", t.shred_grace_working_days as "shredGraceWorkingDays",
            t.state->'excludedHolidayTypes' as "excludedHolidayTypes", t.state->>'partialHolidays' as "partialHolidays",
            coalesce(r.databases, t.state->'profile'->'databases') as databases, t.onboarded_at as "onboardedAt", t.shred
       from rm_tenants t left join rm_key_rings r on r.tenant_id = t.tenant_id
      ${where.length ? `where ${where.join(' and ')}` : ''}
      order by t.tenant_id
      limit $${params.length}`,
    params,
  );
  return rows.map((row) => ({
    ...row,
    databases: (row.databases ?? []).map((d) => ({ databaseId: d.databaseId })),
    onboardedAt: row.onboardedAt.toISOString(),
  }));
}
