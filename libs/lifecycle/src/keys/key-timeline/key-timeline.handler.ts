import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type pg from 'pg';
import { backupsHolding, findBackup, retainUntil, versionStatus, type KeyRingState, type KeyVersionState } from '@lethe/domain';
import { KeyRingQueries, type NeedingBackup, type RetirementEvidence } from '@lethe/readmodel';
import { LIFECYCLE_POOL } from '../../lifecycle.tokens.js';
import { TenantRepository } from '../../tenants/tenant-repository.js';
import { KeyRingRepository } from '../key-ring-repository.js';
import { GetKeyTimelineQuery, RETAINING_BACKUPS_SHOWN, type KeyTimeline, type VersionLifetime } from './key-timeline.query.js';

/**
 * The key ring and tenant as their repositories load them (a snapshot and the events after it, so
 * the cost does not grow with the ring's age), read with the domain's own rules: versionStatus,
 * retainUntil and backupsHolding (P3). Only what the state no longer holds comes from the key-ring
 * views: a retired version's backups may have been archived from the state at its retirement
 * (archived-backups.ts), so for a retired version the retainUntil it was retired at and the backups
 * that needed it are read there.
 */
@QueryHandler(GetKeyTimelineQuery)
export class GetKeyTimelineHandler implements IQueryHandler<GetKeyTimelineQuery> {
  private readonly views: KeyRingQueries;

  constructor(
    @Inject(TenantRepository) private readonly tenants: TenantRepository,
    @Inject(KeyRingRepository) private readonly keyRings: KeyRingRepository,
    @Inject(LIFECYCLE_POOL) pool: pg.Pool,
  ) {
    this.views = new KeyRingQueries(pool);
  }

  async execute({ tenantId }: GetKeyTimelineQuery): Promise<KeyTimeline | null> {
    const { state: tenant } = await this.tenants.load(tenantId);
    if (!tenant.exists) return null;
    const { state: ring } = await this.keyRings.load(tenantId);
    const evidence = ring.versions.some((v) => v.retiredAt) ? await this.views.retirements(tenantId) : new Map<string, RetirementEvidence>();
    const destroyed = new Map((tenant.shred?.destroyedKeyVersions ?? []).map((v) => [v.keyVersionId, v.unusableAt]));
    const versions = await Promise.all(
      ring.versions.map(async (v, i): Promise<VersionLifetime> => {
        const retained = await this.retention(tenantId, ring, v, evidence.get(v.keyVersionId));
        const destroyedAt = v.destroyedAt ?? destroyed.get(v.keyVersionId) ?? null;
        const unusableSince = v.retiredAt ?? destroyedAt ?? (ring.destroyed ? (tenant.shred?.keysDestroyedAt ?? null) : null);
        return {
          keyVersionId: v.keyVersionId,
          number: i + 1,
          source: v.source,
          status: versionStatus(ring, v.keyVersionId),
          createdAt: v.createdAt,
          protects: protectionOf(ring, v.keyVersionId, unusableSince),
          supersededAt: ring.versions[i + 1]?.createdAt ?? null,
          ...retained,
          retiredAt: v.retiredAt,
          destroyedAt,
        };
      }),
    );
    return {
      tenantId,
      keyCustody: ring.keyCustody ?? tenant.keyCustody,
      pitrRetentionDays: ring.exists ? ring.pitrRetentionDays : null,
      destroyedAt: tenant.shred?.keysDestroyedAt ?? null,
      versions,
    };
  }

  /** retainedUntil and the backups behind it: the domain's, or for a retired version the views' record. */
  private async retention(
    tenantId: string,
    ring: KeyRingState,
    v: KeyVersionState,
    retired: RetirementEvidence | undefined,
  ): Promise<Pick<VersionLifetime, 'retainedUntil' | 'retainedBecause' | 'retainingBackups'>> {
    if (v.retiredAt && retired) {
      const backups = retired.backupCount > 0 ? await this.views.backupsNeeding(tenantId, v.keyVersionId, RETAINING_BACKUPS_SHOWN) : [];
      return { retainedUntil: retired.retainUntil, retainedBecause: backups, retainingBackups: retired.backupCount };
    }
    const holding = backupsHolding(ring, v.keyVersionId);
    const backups = holding
      .map((id) => findBackup(ring, id)!)
      .filter((b) => !b.unrestorable?.keyVersionIds.includes(v.keyVersionId))
      .map((b): NeedingBackup => ({ backupId: b.backupId, kind: b.kind, expiresAt: b.expiresAt }))
      .sort((a, b) => Date.parse(b.expiresAt) - Date.parse(a.expiresAt) || (a.backupId < b.backupId ? 1 : -1));
    return { retainedUntil: retainUntil(ring, v.keyVersionId), retainedBecause: backups.slice(0, RETAINING_BACKUPS_SHOWN), retainingBackups: holding.length };
  }
}

/**
 * The intervals during which a version protected each database. An interval ends when its database
 * moved off the version; one still open when the version stopped being usable (retired, or destroyed
 * by a shred: `endedAt`) ends then, since a retired or destroyed version protects nothing. `until`
 * stays null only while the version still protects the database.
 */
function protectionOf(ring: KeyRingState, keyVersionId: string, endedAt: string | null): VersionLifetime['protects'] {
  return ring.databases
    .flatMap((db) =>
      db.intervals.filter((i) => i.keyVersionId === keyVersionId).map((i) => ({ databaseId: db.databaseId, from: i.from, until: i.to ?? endedAt })),
    )
    .sort((a, b) => Date.parse(a.from) - Date.parse(b.from));
}
