// The world as the fleet plan says it is at a simulated instant: which facts have happened, per
// tenant. The oracle's expectations are computed from this alone (and from the instants at which
// Lethe recorded its own actions); nothing here reads Lethe's rules.
import type { BackupSchedule, FleetFact, FleetPlan, TenantSpec } from '../fleet/fleet-facts.js';
import type { OracleCalendar } from './working-days.js';

/** A value set at `from` (ms) and in force until the next entry. */
export interface Setting {
  readonly from: number;
  readonly value: number;
}

export interface BackupFact {
  readonly backupId: string;
  readonly databaseId: string;
  readonly schedule: BackupSchedule;
  readonly coveredFrom: number;
  readonly takenAt: number;
  readonly registeredAt: number;
  /** The fact's position in the plan: orders facts of one instant. */
  readonly order: number;
  /** Expiry as registered, then each retention change. */
  readonly expiries: Setting[];
  deletedAt: number | null;
  /**
   * The versions that protected the database at some moment of [coveredFrom, takenAt], judged from
   * the re-protection instants Lethe recorded: `strict` with a version's interval [from, to) half
   * open, `loose` closed. Null until the tenant's key ring is known.
   */
  needs: { readonly strict: ReadonlySet<string>; readonly loose: ReadonlySet<string> } | null;
}

export interface TriggerFact {
  readonly kind: 'termination' | 'deletion-request';
  /** terminationId or requestId: deliveries of one message share it. */
  readonly id: string;
  readonly receivedAt: number;
  /** When the deletion clock starts: the termination's effective instant, the request's receipt. */
  readonly clockStart: number;
  readonly order: number;
}

export type DeletionFact = { readonly kind: 'trigger'; readonly trigger: TriggerFact } | { readonly kind: 'cancel'; readonly at: number; readonly order: number };

export interface TenantFacts {
  readonly spec: TenantSpec;
  /** The tenant's time zone: as onboarded, or the jurisdiction's default. */
  readonly timeZone: string;
  readonly onboardedAt: number;
  readonly databases: { readonly databaseId: string; readonly addedAt: number }[];
  readonly rotationPeriods: Setting[];
  readonly pitrWindows: Setting[];
  readonly backups: Map<string, BackupFact>;
  /** Backups in registration order. */
  readonly backupList: BackupFact[];
  readonly clientRotations: number[];
  /** Triggers (first delivery only) and cancels, in the order they happened. */
  readonly deletion: DeletionFact[];
  /** Deliveries beyond the first (duplicates). */
  duplicateDeliveries: number;
}

const ms = Date.parse;

/**
 * The value in force at `t`: set strictly before `t` (`strict`), or at or before it. The first entry
 * is in force from the start whatever `t` is.
 */
export function inForce(settings: readonly Setting[], t: number, strict = false): number {
  let value = settings[0].value;
  for (const s of settings) if (strict ? s.from < t : s.from <= t) value = s.value;
  return value;
}

/** When a backup stops needing versions, as known before `asOf` (strict) or at it: expiry, or deletion if earlier. */
export function backupNeedEnds(b: BackupFact, asOf: number, strict = false): number {
  const known = (t: number) => (strict ? t < asOf : t <= asOf);
  const expiry = inForce(b.expiries, asOf, strict);
  return b.deletedAt !== null && known(b.deletedAt) ? Math.min(expiry, b.deletedAt) : expiry;
}

export class FleetModel {
  readonly tenants = new Map<string, TenantFacts>();
  private next = 0;

  constructor(
    private readonly plan: FleetPlan,
    private readonly calendar: OracleCalendar,
    /** Told of each backup registered, and of each deleted or given a new retention. */
    private readonly onBackup: (tenantId: string, backup: BackupFact, change: 'registered' | 'changed') => void = () => undefined,
  ) {}

  /** Applies every fact at or before `now` not applied yet; returns the tenants they touched. */
  advanceTo(now: number): Set<string> {
    const touched = new Set<string>();
    const facts = this.plan.facts;
    while (this.next < facts.length && ms(facts[this.next].at) <= now) {
      const order = this.next++;
      const tenantId = this.apply(facts[order], order);
      if (tenantId !== null) touched.add(tenantId);
    }
    return touched;
  }

  private apply(fact: FleetFact, order: number): string | null {
    const at = ms(fact.at);
    if (fact.kind === 'onboard') {
      const spec = fact.tenant;
      if (this.tenants.has(spec.tenantId)) return null;
      this.tenants.set(spec.tenantId, {
        spec,
        timeZone: spec.timeZone ?? this.calendar.defaultTimeZone(spec.jurisdiction),
        onboardedAt: at,
        databases: spec.databases.map((databaseId) => ({ databaseId, addedAt: at })),
        rotationPeriods: [{ from: at, value: spec.rotationPeriodDays }],
        pitrWindows: [{ from: at, value: spec.pitrRetentionDays }],
        backups: new Map(),
        backupList: [],
        clientRotations: [],
        deletion: [],
        duplicateDeliveries: 0,
      });
      return spec.tenantId;
    }
    const t = this.tenants.get(fact.tenantId);
    if (!t) return null;
    switch (fact.kind) {
      case 'add-database':
        if (!t.databases.some((d) => d.databaseId === fact.databaseId)) t.databases.push({ databaseId: fact.databaseId, addedAt: at });
        break;
      case 'backup': {
        if (t.backups.has(fact.backupId)) break;
        const b: BackupFact = {
          backupId: fact.backupId,
          databaseId: fact.databaseId,
          schedule: fact.schedule,
          coveredFrom: ms(fact.coveredFrom),
          takenAt: ms(fact.takenAt),
          registeredAt: at,
          order,
          expiries: [{ from: at, value: ms(fact.expiresAt) }],
          deletedAt: null,
          needs: null,
        };
        t.backups.set(b.backupId, b);
        t.backupList.push(b);
        this.onBackup(fact.tenantId, b, 'registered');
        break;
      }
      case 'backup-deleted': {
        const b = t.backups.get(fact.backupId);
        if (b && b.deletedAt === null) {
          b.deletedAt = at;
          this.onBackup(fact.tenantId, b, 'changed');
        }
        break;
      }
      case 'backup-retention-changed': {
        const b = t.backups.get(fact.backupId);
        // A deleted backup's retention no longer matters (Lethe stores nothing for it either).
        if (b && b.deletedAt === null) {
          b.expiries.push({ from: at, value: ms(fact.expiresAt) });
          this.onBackup(fact.tenantId, b, 'changed');
        }
        break;
      }
      case 'rotation-period-changed':
        t.rotationPeriods.push({ from: at, value: fact.rotationPeriodDays });
        break;
      case 'pitr-retention-changed':
        t.pitrWindows.push({ from: at, value: fact.pitrRetentionDays });
        break;
      case 'client-rotation':
        t.clientRotations.push(at);
        break;
      case 'termination':
      case 'deletion-request': {
        const id = fact.kind === 'termination' ? fact.terminationId : fact.requestId;
        // The same message again (another delivery, or a resend days later) is the same trigger.
        const resent = t.deletion.some((d) => d.kind === 'trigger' && d.trigger.kind === fact.kind && d.trigger.id === id);
        t.duplicateDeliveries += resent ? fact.deliveries : fact.deliveries - 1;
        if (resent) break;
        const clockStart = fact.kind === 'termination' ? ms(fact.effectiveAt) : at;
        t.deletion.push({ kind: 'trigger', trigger: { kind: fact.kind, id, receivedAt: at, clockStart, order } });
        break;
      }
      case 'cancel-shred':
        t.deletion.push({ kind: 'cancel', at, order });
        break;
    }
    return fact.tenantId;
  }
}
