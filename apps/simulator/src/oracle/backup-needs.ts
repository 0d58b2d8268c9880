// Which key versions each backup needs (P3): every version that protected the backup's database at
// some moment of [coveredFrom, takenAt], judged from the instants at which Lethe recorded moving the
// database from one version to the next (observation of Lethe's actions, not its rules). Kept per
// version, with the latest moment any of its backups still needs it, updated as facts arrive, so a
// check costs what changed, not the tenant's whole backup history.
import { backupNeedEnds, type BackupFact } from './fleet-model.js';
import type { Interval, TenantRecord } from './lethe-record.js';

/**
 * The versions whose protection interval meets [coveredFrom, takenAt]: `strict` reads an interval as
 * [from, to) (at `to` the database is on the next version), `loose` as [from, to], so an instant
 * shared by both versions counts for both. Lethe's answer must lie between them.
 */
export function versionsNeeded(intervals: readonly Interval[], coveredFrom: number, takenAt: number): { strict: Set<string>; loose: Set<string> } {
  const strict = new Set<string>();
  const loose = new Set<string>();
  for (const i of intervals) {
    if (i.from > takenAt) continue;
    if (i.to === null || i.to > coveredFrom) strict.add(i.keyVersionId);
    if (i.to === null || i.to >= coveredFrom) loose.add(i.keyVersionId);
  }
  return { strict, loose };
}

/** When a backup last changed in a way that could end its need sooner (deletion, retention change). */
function loweredAt(b: BackupFact): number {
  let t = b.deletedAt ?? Number.NEGATIVE_INFINITY;
  for (const e of b.expiries.slice(1)) t = Math.max(t, e.from);
  return t;
}

interface VersionNeeds {
  readonly backups: BackupFact[];
  /** The latest change of one of its backups that could make the version retirable sooner. */
  lastLowering: number;
  /** Latest moment a backup (loose) still needs the version, with every fact so far; null: recompute. */
  latest: { end: number; backupId: string | null } | null;
}

const NONE = { end: Number.NEGATIVE_INFINITY, backupId: null };

export class BackupNeeds {
  private readonly byVersion = new Map<string, VersionNeeds>();
  private readonly waiting: BackupFact[] = [];

  /** A backup registered: its needs are judged once its database's intervals are known. */
  registered(b: BackupFact): void {
    this.waiting.push(b);
  }

  /** A backup deleted or its retention changed: the versions it needs must look again. */
  changed(b: BackupFact): void {
    for (const id of b.needs?.loose ?? []) {
      const n = this.byVersion.get(id);
      if (!n) continue;
      n.latest = null;
      n.lastLowering = Math.max(n.lastLowering, loweredAt(b));
    }
  }

  /** Judges the waiting backups whose database Lethe protects. */
  resolve(record: TenantRecord): void {
    for (let i = 0; i < this.waiting.length; ) {
      const b = this.waiting[i];
      const intervals = record.intervals.get(b.databaseId);
      if (!intervals) {
        i++;
        continue;
      }
      b.needs = versionsNeeded(intervals, b.coveredFrom, b.takenAt);
      for (const id of b.needs.loose) {
        let n = this.byVersion.get(id);
        if (!n) {
          n = { backups: [], latest: NONE, lastLowering: Number.NEGATIVE_INFINITY };
          this.byVersion.set(id, n);
        }
        n.backups.push(b);
        n.lastLowering = Math.max(n.lastLowering, loweredAt(b));
        const end = backupNeedEnds(b, Number.POSITIVE_INFINITY);
        if (n.latest !== null && end > n.latest.end) n.latest = { end, backupId: b.backupId };
      }
      this.waiting.splice(i, 1);
    }
  }

  /** The latest deletion or retention change of a backup needing the version (-Infinity: none). */
  lastLowering(keyVersionId: string): number {
    return this.byVersion.get(keyVersionId)?.lastLowering ?? Number.NEGATIVE_INFINITY;
  }

  /** Backups that need the version (loose reading). */
  of(keyVersionId: string): readonly BackupFact[] {
    return this.byVersion.get(keyVersionId)?.backups ?? [];
  }

  /** The latest moment any backup (loose, every fact so far) needs the version; end -Infinity: none. */
  latestEnd(keyVersionId: string): { readonly end: number; readonly backupId: string | null } {
    const n = this.byVersion.get(keyVersionId);
    if (!n) return NONE;
    if (n.latest === null) {
      let latest: { end: number; backupId: string | null } = NONE;
      for (const b of n.backups) {
        const end = backupNeedEnds(b, Number.POSITIVE_INFINITY);
        if (end > latest.end) latest = { end, backupId: b.backupId };
      }
      n.latest = latest;
    }
    return n.latest;
  }
}
