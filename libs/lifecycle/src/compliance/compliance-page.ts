// One page of live key rings judged by the domain's complianceOf: what GET /v1/compliance answers a
// page at a time and the metrics tally over every page, so both apply the same rule to the same rows.
// Each ring's facts (its superseded versions and unrestorable backups beside it) come out of
// PostgreSQL as one JSON value per ring, in one statement: a dashboard polls this page, and
// entity hydration of three result sets cost more than the judging.
import type { DataSource } from 'typeorm';
import { complianceOf, type Compliance, type KeyRingFacts } from '@lethe/domain';
import { pageOf, type Page, type PageRequest } from '@lethe/readmodel';
import { COMPLIANCE_LISTING } from './get-compliance/get-compliance.query.js';

/** A live key ring of the page, the facts the rules saw, and what complianceOf found at the page's instant. */
export interface JudgedRing {
  readonly facts: KeyRingFacts;
  readonly findings: Compliance;
}

/** An instant as toISOString writes it (UTC, milliseconds), so findings read the same as elsewhere. */
const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const FACTS = `json_build_object(
  'tenantId', r.tenant_id,
  'keyCustody', r.key_custody,
  'rotationPeriodDays', r.rotation_period_days,
  'destroyed', r.destroyed,
  'newest', json_build_object('keyVersionId', r.newest_key_version_id, 'createdAt', ${iso('r.newest_created_at')}),
  'databases', (select coalesce(json_agg(json_build_object('databaseId', d->'databaseId', 'keyVersionId', d->'keyVersionId') order by n), '[]')
                  from jsonb_array_elements(r.databases) with ordinality as db(d, n)),
  'superseded', (select coalesce(json_agg(json_build_object('keyVersionId', v.key_version_id, 'retainUntil', ${iso('v.retain_until')}) order by v.ordinal), '[]')
                   from rm_key_versions v where v.tenant_id = r.tenant_id and v.status = 'superseded'),
  'unrestorableBackups', (select coalesce(json_agg(json_build_object('backupId', b.backup_id, 'keyVersionIds', b.unrestorable->'keyVersionIds', 'expiresAt', ${iso('b.expires_at')}) order by b.backup_id), '[]')
                            from rm_backups b where b.tenant_id = r.tenant_id and b.unrestorable is not null and b.deleted_at is null)
)`;

/** The live key rings of `page` (tenantId order), each judged at `now`. */
export async function judgeCompliancePage(db: Pick<DataSource, 'query'>, now: Date, page: PageRequest): Promise<Page<JudgedRing>> {
  const after = page.after?.[0];
  const rows: { facts: KeyRingFacts }[] = await db.query(
    `select ${FACTS} as facts from rm_key_rings r
      where not r.destroyed ${after === undefined ? '' : 'and r.tenant_id > $2'}
      order by r.tenant_id limit $1`,
    after === undefined ? [page.limit + 1] : [page.limit + 1, after],
  );
  const rings = pageOf(
    rows.map((r) => r.facts),
    page.limit,
    COMPLIANCE_LISTING,
    (facts) => [facts.tenantId],
  );
  return { items: rings.items.map((facts) => ({ facts, findings: complianceOf(facts, now) })), nextCursor: rings.nextCursor };
}
