// GET /v1/compliance: which tenants break P1, P2 or P3 right now, from the key ring read models.
import { Controller, Get, Inject } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { CLOCK, type Clock } from '@lethe/clock';
import { BackupView, KeyRingView, KeyVersionView } from '@lethe/readmodel';
import { Roles } from '../http/index.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_AGE_DAYS = 730;
/** Retirement runs from a timer: allow it this long after retainUntil before calling it late. */
const RETIREMENT_SLACK_MS = 60 * 60 * 1000;

@Controller('v1/compliance')
export class ComplianceController {
  constructor(
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectRepository(KeyRingView) private readonly rings: Repository<KeyRingView>,
    @InjectRepository(KeyVersionView) private readonly versions: Repository<KeyVersionView>,
    @InjectRepository(BackupView) private readonly backups: Repository<BackupView>,
  ) {}

  @Get()
  @Roles('ops-reader')
  async compliance() {
    const now = this.clock.now();
    const rings = await this.rings.find({ where: { destroyed: false }, order: { tenantId: 'ASC' } });
    const p1 = [];
    const p2 = [];
    for (const r of rings) {
      const ageDays = (now.getTime() - r.newestCreatedAt.getTime()) / DAY_MS;
      // Managed keys must be younger than their period; client-held ones are non-compliant past 2 years.
      const limit = r.keyCustody === 'managed' ? r.rotationPeriodDays : MAX_AGE_DAYS;
      if (ageDays >= limit) {
        p1.push({ tenantId: r.tenantId, keyCustody: r.keyCustody, newestKeyVersionId: r.newestKeyVersionId, newestCreatedAt: r.newestCreatedAt.toISOString(), limitDays: limit });
      }
      const overdueSince = r.newestCreatedAt.getTime() + DAY_MS;
      const behind = r.databases.filter((d) => d.keyVersionId !== r.newestKeyVersionId);
      if (behind.length > 0 && now.getTime() > overdueSince) {
        p2.push({ tenantId: r.tenantId, keyVersionId: r.newestKeyVersionId, databases: behind.map((d) => ({ databaseId: d.databaseId, keyVersionId: d.keyVersionId })) });
      }
    }
    const late = await this.versions
      .createQueryBuilder('v')
      .where(`v.status = 'superseded' and v.retain_until < :limit`, { limit: new Date(now.getTime() - RETIREMENT_SLACK_MS) })
      .orderBy('v.tenant_id')
      .getMany();
    const p3: object[] = late.map((v) => ({ tenantId: v.tenantId, keyVersionId: v.keyVersionId, retainUntil: v.retainUntil!.toISOString(), problem: 'kept-after-retain-until' }));
    // A backup registered after a version it needs was retired: it cannot be restored from that
    // version. Reported until it expires or is deleted; a shred makes every backup moot.
    const unrestorable = await this.backups
      .createQueryBuilder('b')
      .innerJoin(KeyRingView, 'r', 'r.tenant_id = b.tenant_id')
      .where('not r.destroyed and b.unrestorable is not null and b.deleted_at is null and b.expires_at > :now', { now })
      .orderBy('b.tenant_id')
      .addOrderBy('b.backup_id')
      .getMany();
    for (const b of unrestorable) {
      p3.push({
        tenantId: b.tenantId,
        backupId: b.backupId,
        keyVersionIds: b.unrestorable!.keyVersionIds,
        expiresAt: b.expiresAt.toISOString(),
        problem: 'backup-needs-retired-key-version',
      });
    }
    return {
      at: now.toISOString(),
      P1: { rule: 'every active key has a version younger than its rotation period (client-held: 730 days)', violations: p1 },
      P2: { rule: 'every database is on the newest key version within 24 hours of it appearing', violations: p2 },
      P3: {
        rule: 'a superseded version is kept while a database or a live backup needs it and for the point-in-time window after its last use, then retired; no live backup needs a retired version',
        violations: p3,
      },
    };
  }
}
