// GET /v1/compliance: which tenants break P1, P2 or P3 right now. The rules are the domain's
// complianceOf, run over each live key ring as the read models hold it.
import { Controller, Get, Inject } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Not, type Repository } from 'typeorm';
import { CLOCK, type Clock } from '@lethe/clock';
import { complianceOf, PROMISE_RULES, type KeyRingFacts, type KeyCustody } from '@lethe/domain';
import { BackupView, KeyRingView, KeyVersionView } from '@lethe/readmodel';
import { Roles } from '../http/index.js';

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
    const tenantIds = rings.map((r) => r.tenantId);
    const superseded = await this.versions.find({ where: { tenantId: In(tenantIds), status: 'superseded' }, order: { tenantId: 'ASC', ordinal: 'ASC' } });
    const unrestorable = await this.backups.find({ where: { tenantId: In(tenantIds), unrestorable: Not(IsNull()), deletedAt: IsNull() }, order: { tenantId: 'ASC', backupId: 'ASC' } });
    const supersededOf = byTenant(superseded);
    const unrestorableOf = byTenant(unrestorable);
    const findings = rings.map((r) => complianceOf(factsOf(r, supersededOf.get(r.tenantId) ?? [], unrestorableOf.get(r.tenantId) ?? []), now));
    return {
      at: now.toISOString(),
      P1: { rule: PROMISE_RULES.P1, violations: findings.flatMap((f) => f.P1) },
      P2: { rule: PROMISE_RULES.P2, violations: findings.flatMap((f) => f.P2) },
      P3: { rule: PROMISE_RULES.P3, violations: findings.flatMap((f) => f.P3) },
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
