// Which tenants break P1, P2 or P3 right now: the domain's complianceOf, run over each live key ring
// as the read models hold it. Paged over the live key rings in tenantId order: each page reports the
// violations of its rings, read with one query per table.
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource, In, IsNull, Not } from 'typeorm';
import { CLOCK, type Clock } from '@lethe/clock';
import { complianceOf, type KeyCustody, type KeyRingFacts } from '@lethe/domain';
import { BackupView, KeyRingView, KeyVersionView, pageOf } from '@lethe/readmodel';
import { COMPLIANCE_LISTING, GetComplianceQuery, type ComplianceReport } from './get-compliance.query.js';

@QueryHandler(GetComplianceQuery)
export class GetComplianceHandler implements IQueryHandler<GetComplianceQuery> {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ page }: GetComplianceQuery): Promise<ComplianceReport> {
    const now = this.clock.now();
    const q = this.db.getRepository(KeyRingView).createQueryBuilder('r').where('not r.destroyed').orderBy('r.tenant_id').limit(page.limit + 1);
    if (page.after) q.andWhere('r.tenant_id > :after', { after: page.after[0] });
    const rings = pageOf(await q.getMany(), page.limit, COMPLIANCE_LISTING, (r) => [r.tenantId]);
    const tenantIds = rings.items.map((r) => r.tenantId);
    const [superseded, unrestorable] =
      tenantIds.length === 0
        ? [[], []]
        : await Promise.all([
            this.db.getRepository(KeyVersionView).find({ where: { tenantId: In(tenantIds), status: 'superseded' }, order: { tenantId: 'ASC', ordinal: 'ASC' } }),
            this.db.getRepository(BackupView).find({ where: { tenantId: In(tenantIds), unrestorable: Not(IsNull()), deletedAt: IsNull() }, order: { tenantId: 'ASC', backupId: 'ASC' } }),
          ]);
    const supersededOf = byTenant(superseded);
    const unrestorableOf = byTenant(unrestorable);
    const findings = rings.items.map((r) => complianceOf(factsOf(r, supersededOf.get(r.tenantId) ?? [], unrestorableOf.get(r.tenantId) ?? []), now));
    return {
      at: now.toISOString(),
      P1: findings.flatMap((f) => f.P1),
      P2: findings.flatMap((f) => f.P2),
      P3: findings.flatMap((f) => f.P3),
      nextCursor: rings.nextCursor,
    };
  }
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
