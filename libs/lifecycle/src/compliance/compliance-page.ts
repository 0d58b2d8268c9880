// One page of live key rings judged by the domain's complianceOf, read with one query per table: what
// GET /v1/compliance answers a page at a time and the metrics tally over every page, so both apply
// the same rule to the same rows.
import { DataSource, In, IsNull, Not } from 'typeorm';
import { complianceOf, type Compliance, type KeyCustody, type KeyRingFacts } from '@lethe/domain';
import { BackupView, KeyRingView, KeyVersionView, pageOf, type Page, type PageRequest } from '@lethe/readmodel';
import { COMPLIANCE_LISTING } from './get-compliance/get-compliance.query.js';

/** A live key ring of the page and what complianceOf found on it at the page's instant. */
export interface JudgedRing {
  readonly ring: KeyRingView;
  readonly findings: Compliance;
}

/** The live key rings of `page` (tenantId order), each judged at `now`. */
export async function judgeCompliancePage(db: DataSource, now: Date, page: PageRequest): Promise<Page<JudgedRing>> {
  const q = db.getRepository(KeyRingView).createQueryBuilder('r').where('not r.destroyed').orderBy('r.tenant_id').limit(page.limit + 1);
  if (page.after) q.andWhere('r.tenant_id > :after', { after: page.after[0] });
  const rings = pageOf(await q.getMany(), page.limit, COMPLIANCE_LISTING, (r) => [r.tenantId]);
  const tenantIds = rings.items.map((r) => r.tenantId);
  const [superseded, unrestorable] =
    tenantIds.length === 0
      ? [[], []]
      : await Promise.all([
          db.getRepository(KeyVersionView).find({ where: { tenantId: In(tenantIds), status: 'superseded' }, order: { tenantId: 'ASC', ordinal: 'ASC' } }),
          db.getRepository(BackupView).find({ where: { tenantId: In(tenantIds), unrestorable: Not(IsNull()), deletedAt: IsNull() }, order: { tenantId: 'ASC', backupId: 'ASC' } }),
        ]);
  const supersededOf = byTenant(superseded);
  const unrestorableOf = byTenant(unrestorable);
  return {
    items: rings.items.map((ring) => ({ ring, findings: complianceOf(factsOf(ring, supersededOf.get(ring.tenantId) ?? [], unrestorableOf.get(ring.tenantId) ?? []), now) })),
    nextCursor: rings.nextCursor,
  };
}

/** One ring's rows (its superseded versions and unrestorable backups) as the compliance rules see them. */
function factsOf(r: KeyRingView, superseded: readonly KeyVersionView[], unrestorable: readonly BackupView[]): KeyRingFacts {
  return {
    tenantId: r.tenantId,
    keyCustody: r.keyCustody as KeyCustody,
    rotationPeriodDays: r.rotationPeriodDays,
    destroyed: r.destroyed,
    newest: { keyVersionId: r.newestKeyVersionId, createdAt: r.newestCreatedAt.toISOString() },
    databases: r.databases.map(({ databaseId, keyVersionId }) => ({ databaseId, keyVersionId })),
    superseded: superseded.map((v) => ({ keyVersionId: v.keyVersionId, retainUntil: v.retainUntil?.toISOString() ?? null })),
    unrestorableBackups: unrestorable.map((b) => ({ backupId: b.backupId, keyVersionIds: b.unrestorable!.keyVersionIds, expiresAt: b.expiresAt.toISOString() })),
  };
}

function byTenant<T extends { tenantId: string }>(rows: readonly T[]): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const list = map.get(row.tenantId);
    if (list) list.push(row);
    else map.set(row.tenantId, [row]);
  }
  return map;
}
