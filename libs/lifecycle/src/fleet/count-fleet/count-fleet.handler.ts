// The fleet in numbers for /metrics: group-by counts over the read models, each following an index
// (rm_tenants_status, rm_shreds_status, rm_key_versions_status) or a table of one row per event type.
// Only the domain's own event types are reported: a contract stream may hold any type an outsider
// appended, and a metric label must not grow with what outsiders send.
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { KEY_VERSION_STATUSES, SHRED_PROGRESS, TENANT_STATUSES, breakGlassCategory, calendarCategory, contractCategory, keyRingCategory, tenantCategory } from '@lethe/domain';
import { CountFleetQuery, type FleetCounts } from './count-fleet.query.js';

/** Every event type of the domain: the label values lethe_events_total may take. */
export const DOMAIN_EVENT_TYPES: readonly string[] = [...tenantCategory.types, ...keyRingCategory.types, ...contractCategory.types, ...calendarCategory.types, ...breakGlassCategory.types];

/** Shreds still owed a verification before their deadline. */
const OPEN_SHREDS = ['shred-scheduled', 'shredding', 'shredded'];

@QueryHandler(CountFleetQuery)
export class CountFleetHandler implements IQueryHandler<CountFleetQuery> {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async execute(): Promise<FleetCounts> {
    const [tenants, shreds, nearest, versions, events] = await Promise.all([
      this.db.query<{ status: string; n: string }[]>('select status, count(*) as n from rm_tenants group by status'),
      this.db.query<{ status: string; n: string }[]>('select status, count(*) as n from rm_shreds group by status'),
      this.db.query<{ deadline: Date | null }[]>(`select min((shred->>'deadline')::timestamptz) as deadline from rm_shreds where status = any($1)`, [OPEN_SHREDS]),
      this.db.query<{ status: string; n: string }[]>('select status, count(*) as n from rm_key_versions group by status'),
      this.db.query<{ event_type: string; count: string }[]>('select event_type, count from rm_event_type_counts where event_type = any($1)', [DOMAIN_EVENT_TYPES]),
    ]);
    return {
      tenants: counted(TENANT_STATUSES, tenants.map((r) => [r.status, r.n])),
      shreds: counted(SHRED_PROGRESS, shreds.map((r) => [r.status, r.n])),
      nearestShredDeadline: nearest[0]?.deadline?.toISOString() ?? null,
      keyVersions: counted(KEY_VERSION_STATUSES, versions.map((r) => [r.status, r.n])),
      events: counted(DOMAIN_EVENT_TYPES, events.map((r) => [r.event_type, r.count])),
    };
  }
}

/** Every known key at 0, then the counts read (a key the code does not know yet is kept too). */
function counted(keys: readonly string[], rows: readonly (readonly [string, string])[]): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries(keys.map((k) => [k, 0]));
  for (const [key, n] of rows) out[key] = Number(n);
  return out;
}
