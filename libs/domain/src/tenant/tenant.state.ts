// What the tenant aggregate remembers, folded from its events. JSON-safe (instants are ISO
// strings), so read models can keep it as is.
import type {
  BreachCause,
  BackupKeyMode,
  DestroyedKeyVersion,
  KeyCustody,
  ProbeOutcome,
  ShredStep,
  ShredTrigger,
  TenantEvent,
  TenantProfile,
} from './tenant.events.js';
import type { CalendarInputs, PartialHolidays } from '../shared/working-days.js';

export type ShredStatus = 'scheduled' | 'shredding' | 'shredded' | 'verified' | 'cancelled';

export interface ShredState {
  readonly shredId: string;
  readonly trigger: ShredTrigger;
  readonly effectiveAt: string;
  readonly receivedAt: string;
  readonly deadline: string;
  readonly executeAt: string;
  readonly calendar: CalendarInputs;
  readonly status: ShredStatus;
  readonly cancelledAt: string | null;
  readonly cancelReason: string | null;
  readonly executedAt: string | null;
  readonly keysDestroyedAt: string | null;
  readonly destroyedKeyVersions: readonly DestroyedKeyVersion[];
  /** The vault key the shred destroyed (absent before KeyDestroyed, and in states folded before it was kept). */
  readonly destroyedKeyId?: string;
  /**
   * When the last of the destroyed versions' material was purged, once every one is (at once for a
   * vault that purges on destroy, or confirmed later: KeyMaterialPurged). Absent until then.
   */
  readonly keyMaterialPurgedAt?: string;
  readonly assetsPurgedAt: string | null;
  readonly purgedAssets: readonly { readonly kind: string; readonly id: string; readonly purgedAt: string }[];
  readonly probes: readonly { readonly attempt: number; readonly outcome: ProbeOutcome; readonly at: string }[];
  /** Consecutive failures of the current step (reset when a step succeeds). */
  readonly failures: { readonly step: ShredStep; readonly count: number; readonly lastAt: string } | null;
  readonly verifiedAt: string | null;
  readonly breaches: readonly { readonly cause: BreachCause; readonly at: string }[];
  /** The deletion certificate, once issued (absent before). */
  readonly certificate?: IssuedCertificate;
}

export interface IssuedCertificate {
  readonly certificateId: string;
  readonly sha256: string;
  readonly keyId: string;
  readonly issuedAt: string;
}

export interface TenantState {
  readonly exists: boolean;
  readonly tenantId: string | null;
  readonly jurisdiction: string | null;
  readonly timeZone: string | null;
  readonly excludedHolidayTypes: readonly string[];
  readonly partialHolidays: PartialHolidays;
  readonly keyCustody: KeyCustody | null;
  readonly backupKeyMode: BackupKeyMode | null;
  readonly shredGraceWorkingDays: number;
  readonly onboardedAt: string | null;
  /** The onboarding request as recorded: what opening the key ring needs, and what a repeated request is compared with. */
  readonly profile: TenantProfile | null;
  /** Trigger ids seen, so a replayed trigger is recognised whatever happened since. */
  readonly triggers: readonly string[];
  /** The last cancel: contract-stream triggers up to this revision, or received before `at`, are withdrawn. */
  readonly lastCancel: { readonly contractRevision: number | null; readonly at: string } | null;
  readonly shred: ShredState | null;
  /** Once keys are destroyed the tenant can never come back. */
  readonly shredded: boolean;
}

/**
 * The version of TenantState's shape and of evolveTenant: raise it with either, so stored
 * snapshots of the old shape are ignored.
 */
export const TENANT_STATE_VERSION = 2;

export const initialTenantState: TenantState = {
  exists: false,
  tenantId: null,
  jurisdiction: null,
  timeZone: null,
  excludedHolidayTypes: [],
  partialHolidays: 'working',
  keyCustody: null,
  backupKeyMode: null,
  shredGraceWorkingDays: 2,
  onboardedAt: null,
  profile: null,
  triggers: [],
  lastCancel: null,
  shred: null,
  shredded: false,
};

export function triggerKey(trigger: ShredTrigger): string {
  return trigger.kind === 'termination' ? `termination:${trigger.terminationId}` : `deletion-request:${trigger.requestId}`;
}

function profileWithoutInstant(d: TenantProfile & { readonly at: string }): TenantProfile {
  const { at: _at, ...profile } = d;
  return profile;
}

function updateShred(state: TenantState, shredId: string, change: (s: ShredState) => ShredState): TenantState {
  if (!state.shred || state.shred.shredId !== shredId) return state;
  return { ...state, shred: change(state.shred) };
}

export function evolveTenant(state: TenantState, event: TenantEvent): TenantState {
  switch (event.type) {
    case 'TenantOnboarded': {
      const d = event.data;
      return {
        ...state,
        exists: true,
        tenantId: d.tenantId,
        jurisdiction: d.jurisdiction,
        timeZone: d.timeZone,
        excludedHolidayTypes: d.excludedHolidayTypes,
        partialHolidays: d.partialHolidays,
        keyCustody: d.keyCustody,
        backupKeyMode: d.backupKeyMode,
        shredGraceWorkingDays: d.shredGraceWorkingDays,
        onboardedAt: d.at,
        profile: profileWithoutInstant(d),
      };
    }
    case 'DeletionRequested':
      return state;
    case 'ShredTriggerRecorded':
      return { ...state, triggers: [...state.triggers, triggerKey(event.data.trigger)] };
    case 'ShredScheduled': {
      const d = event.data;
      return {
        ...state,
        triggers: [...state.triggers, triggerKey(d.trigger)],
        shred: {
          shredId: d.shredId,
          trigger: d.trigger,
          effectiveAt: d.effectiveAt,
          receivedAt: d.receivedAt,
          deadline: d.deadline,
          executeAt: d.executeAt,
          calendar: d.calendar,
          status: 'scheduled',
          cancelledAt: null,
          cancelReason: null,
          executedAt: null,
          keysDestroyedAt: null,
          destroyedKeyVersions: [],
          assetsPurgedAt: null,
          purgedAssets: [],
          probes: [],
          failures: null,
          verifiedAt: null,
          breaches: [],
        },
      };
    }
    case 'ShredAdvanced': {
      const d = event.data;
      return {
        ...updateShred({ ...state, triggers: [...state.triggers, triggerKey(d.trigger)] }, d.shredId, (s) => ({
          ...s,
          deadline: d.deadline,
          executeAt: d.executeAt,
          calendar: d.calendar,
        })),
      };
    }
    case 'ShredExecutionForced':
      return updateShred(state, event.data.shredId, (s) => ({ ...s, executeAt: event.data.executeAt }));
    case 'ShredCancelled':
      return {
        ...updateShred(state, event.data.shredId, (s) => ({
          ...s,
          status: 'cancelled',
          cancelledAt: event.data.at,
          cancelReason: event.data.reason,
        })),
        lastCancel: { contractRevision: event.data.withdrawsContractRevision ?? null, at: event.data.at },
      };
    case 'ShredExecutionStarted':
      return updateShred(state, event.data.shredId, (s) => ({ ...s, status: 'shredding', executedAt: event.data.at }));
    case 'KeyDestroyed': {
      const purgedAt = allPurgedAt(event.data.versions);
      return {
        ...updateShred(state, event.data.shredId, (s) => ({
          ...s,
          keysDestroyedAt: event.data.at,
          destroyedKeyVersions: event.data.versions,
          destroyedKeyId: event.data.keyId,
          ...(purgedAt ? { keyMaterialPurgedAt: purgedAt } : {}),
          failures: null,
        })),
        shredded: true,
      };
    }
    case 'KeyMaterialPurged': {
      const purged = new Map(event.data.versions.map((v) => [v.keyVersionId, v.purgedAt]));
      return updateShred(state, event.data.shredId, (s) => {
        const versions = s.destroyedKeyVersions.map((v) => {
          const at = v.purgedAt ?? purged.get(v.keyVersionId) ?? null;
          return at ? { ...v, purgedAt: at, purgeExpectedAt: null } : v;
        });
        const purgedAt = allPurgedAt(versions);
        return { ...s, destroyedKeyVersions: versions, ...(purgedAt ? { keyMaterialPurgedAt: purgedAt } : {}) };
      });
    }
    case 'AssetsPurged':
      return updateShred(state, event.data.shredId, (s) => ({
        ...s,
        status: 'shredded',
        assetsPurgedAt: event.data.at,
        purgedAssets: event.data.assets,
        failures: null,
      }));
    case 'ShredStepFailed':
      return updateShred(state, event.data.shredId, (s) => ({
        ...s,
        failures: { step: event.data.step, count: event.data.failure, lastAt: event.data.at },
      }));
    case 'ShredProbeRecorded':
      return updateShred(state, event.data.shredId, (s) => ({
        ...s,
        probes: [...s.probes, { attempt: event.data.attempt, outcome: event.data.outcome, at: event.data.at }],
        failures: null,
      }));
    case 'ShredVerified':
      return updateShred(state, event.data.shredId, (s) => ({ ...s, status: 'verified', verifiedAt: event.data.at }));
    case 'ShredVerificationFailed':
      return state;
    case 'ShredDeadlineBreached':
      return updateShred(state, event.data.shredId, (s) => ({
        ...s,
        breaches: [...s.breaches, { cause: event.data.cause, at: event.data.at }],
      }));
    case 'DeletionCertificateIssued': {
      const { certificateId, sha256, keyId, at } = event.data;
      return updateShred(state, event.data.shredId, (s) => ({ ...s, certificate: { certificateId, sha256, keyId, issuedAt: at } }));
    }
    default:
      // Event types this version no longer writes (e.g. the key and database events that moved to
      // the key ring) are kept in old streams; they change nothing here.
      return state;
  }
}

/** The latest purge instant when every version's material is purged, else undefined. */
function allPurgedAt(versions: readonly { readonly purgedAt: string | null }[]): string | undefined {
  if (versions.length === 0 || versions.some((v) => v.purgedAt === null)) return undefined;
  return versions.map((v) => v.purgedAt!).sort().at(-1);
}

/**
 * When the destroyed key's material still to be purged is expected to be (the latest date among the
 * versions not purged yet), or null: all purged, nothing destroyed yet, or the vault gave no date.
 */
export function keyMaterialPurgeExpectedAt(s: ShredState): string | null {
  if (s.keyMaterialPurgedAt) return null;
  const dates = s.destroyedKeyVersions.filter((v) => v.purgedAt === null).map((v) => v.purgeExpectedAt ?? null);
  if (dates.length === 0 || dates.some((d) => d === null)) return null;
  return (dates as string[]).sort().at(-1)!;
}

/** The tenant's lifecycle status as ops see it (GET /v1/tenants/{id}). */
/** Where a shred stands, as ops read it. */
export const SHRED_PROGRESS = ['shred-scheduled', 'shredding', 'shredded', 'verified', 'breached', 'cancelled'] as const;
export type ShredProgress = (typeof SHRED_PROGRESS)[number];

/** Where a tenant stands: active (never shredded, or its last shred was cancelled), or its shred's progress. */
export const TENANT_STATUSES = ['active', 'shred-scheduled', 'shredding', 'shredded', 'verified', 'breached'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

export function shredProgress(s: ShredState): ShredProgress {
  if (s.status === 'verified') return 'verified';
  if (s.status === 'cancelled') return 'cancelled';
  // Not verified and past its promise: that is what ops must see first.
  if (s.breaches.length > 0) return 'breached';
  if (s.status === 'scheduled') return 'shred-scheduled';
  return s.status;
}

/** A cancelled shred leaves the tenant active: the cancel withdrew it, the tenant keeps its data and key. */
export function tenantStatus(state: TenantState): TenantStatus {
  const progress = state.shred ? shredProgress(state.shred) : 'cancelled';
  return progress === 'cancelled' ? 'active' : progress;
}
