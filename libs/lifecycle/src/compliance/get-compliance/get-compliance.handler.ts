// Which tenants break P1, P2 or P3 right now, from the key ring read models. Paged over the live key
// rings in tenantId order: each page reports the violations of its rings.
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource, In } from 'typeorm';
import { CLOCK, type Clock } from '@lethe/clock';
import { BackupView, KeyRingView, KeyVersionView } from '@lethe/readmodel';
import { pageOf } from '../../paging/page.js';
import { GetComplianceQuery, type ComplianceReport, type ReprotectionViolation, type RetentionViolation, type RotationViolation } from './get-compliance.query.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_AGE_DAYS = 730;
/** Retirement runs from a timer: allow it this long after retainUntil before calling it late. */
const RETIREMENT_SLACK_MS = 60 * 60 * 1000;

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
    const rings = pageOf(await q.getMany(), page.limit, (r) => [r.tenantId]);
    const P1: RotationViolation[] = [];
    const P2: ReprotectionViolation[] = [];
    for (const r of rings.items) {
      const ageDays = (now.getTime() - r.newestCreatedAt.getTime()) / DAY_MS;
      // Managed keys must be younger than their period; client-held ones are non-compliant past 2 years.
      const limit = r.keyCustody === 'managed' ? r.rotationPeriodDays : MAX_AGE_DAYS;
      if (ageDays >= limit) {
        P1.push({ tenantId: r.tenantId, keyCustody: r.keyCustody, newestKeyVersionId: r.newestKeyVersionId, newestCreatedAt: r.newestCreatedAt.toISOString(), limitDays: limit });
      }
      const overdueSince = r.newestCreatedAt.getTime() + DAY_MS;
      const behind = r.databases.filter((d) => d.keyVersionId !== r.newestKeyVersionId);
      if (behind.length > 0 && now.getTime() > overdueSince) {
        P2.push({ tenantId: r.tenantId, keyVersionId: r.newestKeyVersionId, databases: behind.map((d) => ({ databaseId: d.databaseId, keyVersionId: d.keyVersionId })) });
      }
    }
    const tenantIds = rings.items.map((r) => r.tenantId);
    const P3 = tenantIds.length === 0 ? [] : await this.retention(tenantIds, now);
    return { at: now.toISOString(), P1, P2, P3, nextCursor: rings.nextCursor };
  }

  private async retention(tenantIds: readonly string[], now: Date): Promise<RetentionViolation[]> {
    const late = await this.db
      .getRepository(KeyVersionView)
      .createQueryBuilder('v')
      .where(`v.status = 'superseded' and v.retain_until < :limit`, { limit: new Date(now.getTime() - RETIREMENT_SLACK_MS) })
      .andWhere({ tenantId: In([...tenantIds]) })
      .orderBy('v.tenant_id')
      .getMany();
    const p3: RetentionViolation[] = late.map((v) => ({ tenantId: v.tenantId, keyVersionId: v.keyVersionId, retainUntil: v.retainUntil!.toISOString(), problem: 'kept-after-retain-until' }));
    // A backup registered after a version it needs was retired: it cannot be restored from that
    // version. Reported until it expires or is deleted; a shred makes every backup moot (its ring is
    // destroyed, so it is on no page).
    const unrestorable = await this.db
      .getRepository(BackupView)
      .createQueryBuilder('b')
      .where('b.unrestorable is not null and b.deleted_at is null and b.expires_at > :now', { now })
      .andWhere({ tenantId: In([...tenantIds]) })
      .orderBy('b.tenant_id')
      .addOrderBy('b.backup_id')
      .getMany();
    for (const b of unrestorable) {
      p3.push({ tenantId: b.tenantId, backupId: b.backupId, keyVersionIds: b.unrestorable!.keyVersionIds, expiresAt: b.expiresAt.toISOString(), problem: 'backup-needs-retired-key-version' });
    }
    return p3;
  }
}
