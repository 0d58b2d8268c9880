// What the key ring remembers, folded from its events, and the pure queries over it. JSON-safe
// (instants are ISO strings). Protection history is kept as intervals per database, so "which
// versions protected this database during [from, to]" can be answered for any past window.
// Backups that can never matter again leave the state at each retirement (archived-backups.ts).
import type { KeyCustody } from '../tenant/tenant.events.js';
import { archiveSettledBackups } from './archived-backups.js';
import { appendBackup, backupById, replaceBackup } from './backup-index.js';
import { DEFAULT_PITR_RETENTION_DAYS, DEFAULT_ROTATION_PERIOD_DAYS } from '../promises.js';
import type { BackupProtection, Unrestorable } from './backup-policy.js';
import type { BackupKind, KeyRingEvent, KeyVersionSource } from './key-ring.events.js';

export interface KeyVersionState {
  readonly keyVersionId: string;
  /** When the vault created it. */
  readonly createdAt: string;
  readonly source: 'onboarding' | KeyVersionSource;
  readonly retiredAt: string | null;
  /**
   * Set while a break-glass grant has it enabled again after a retirement (KeyVersionEnabled): it
   * must stay usable until then (retention.ts), and is retired again after. Null otherwise.
   */
  readonly enabledUntil: string | null;
  /** While retired: when its grace ends and it is destroyed in the vault (KeyVersionRetired.destroyAt). Null otherwise. */
  readonly destroyAt: string | null;
  /** Destroyed in the vault after its grace (KeyVersionDestroyed): it can never be enabled again. */
  readonly destroyedAt: string | null;
}

/** The version protected the database during [from, to); `to` null = still does. */
export interface ProtectionInterval {
  readonly keyVersionId: string;
  readonly from: string;
  readonly to: string | null;
}

export interface DatabaseProtection {
  readonly databaseId: string;
  /** Chronological; the last one is open. */
  readonly intervals: readonly ProtectionInterval[];
}

export interface BackupState {
  readonly backupId: string;
  readonly databaseId: string;
  readonly kind: BackupKind;
  readonly coveredFrom: string;
  readonly takenAt: string;
  readonly expiresAt: string;
  readonly deletedAt: string | null;
  readonly protection: BackupProtection;
  /** Empty for a platform-key backup. */
  readonly keyVersionIds: readonly string[];
  /** Null for a platform-key backup. */
  readonly restoreKeyVersionId: string | null;
  readonly unrestorable: Unrestorable | null;
}

export interface StagingAssetState {
  readonly assetId: string;
  readonly expiresAt: string | null;
  readonly registeredAt: string;
}

export interface KeyRingState {
  readonly exists: boolean;
  readonly tenantId: string | null;
  readonly keyId: string | null;
  readonly keyCustody: KeyCustody | null;
  readonly rotationPeriodDays: number;
  /** Point-in-time retention window (days): the floor of every superseded version's retention. */
  readonly pitrRetentionDays: number;
  /** Crypto-shredded: every version counts as destroyed, nothing can be created or retired. */
  readonly destroyed: boolean;
  /** In the order added; the newest is last. */
  readonly versions: readonly KeyVersionState[];
  readonly databases: readonly DatabaseProtection[];
  /** Backups still able to matter to P3, in the order recorded (archived ones have left). */
  readonly backups: readonly BackupState[];
  /** How many backups left the state at a retirement (archived-backups.ts). */
  readonly archivedBackups: number;
  /** Staging blobs registered for the tenant, in the order registered. */
  readonly stagingAssets: readonly StagingAssetState[];
  /** `databaseId:keyVersionId` pairs already flagged overdue. */
  readonly overdueRaised: readonly string[];
  /** Version ids whose rotation-due was already raised. */
  readonly rotationDueRaised: readonly string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The version of KeyRingState's shape and of evolveKeyRing: raise it with either, so stored snapshots of
 * the old shape are ignored.
 */
export const KEY_RING_STATE_VERSION = 3;

/**
 * A retirement's destroyAt, and destroyedAt for one recorded before the grace existed (no destroyAt):
 * the lifecycle then destroyed the version in the vault right at retirement, and recorded nothing more.
 */
function destructionOf(d: { readonly at: string; readonly destroyAt?: string }): { destroyAt: string; destroyedAt: string | null } {
  return d.destroyAt === undefined ? { destroyAt: d.at, destroyedAt: d.at } : { destroyAt: d.destroyAt, destroyedAt: null };
}

export const initialKeyRingState: KeyRingState = {
  exists: false,
  tenantId: null,
  keyId: null,
  keyCustody: null,
  rotationPeriodDays: DEFAULT_ROTATION_PERIOD_DAYS,
  pitrRetentionDays: DEFAULT_PITR_RETENTION_DAYS,
  destroyed: false,
  versions: [],
  databases: [],
  backups: [],
  archivedBackups: 0,
  stagingAssets: [],
  overdueRaised: [],
  rotationDueRaised: [],
};

export const overdueKey = (databaseId: string, keyVersionId: string) => `${databaseId}:${keyVersionId}`;

function switchDatabase(db: DatabaseProtection, keyVersionId: string, at: string): DatabaseProtection {
  return {
    ...db,
    intervals: [...db.intervals.map((i) => (i.to === null ? { ...i, to: at } : i)), { keyVersionId, from: at, to: null }],
  };
}

function updateBackup(state: KeyRingState, backupId: string, change: (b: BackupState) => BackupState): KeyRingState {
  return { ...state, backups: replaceBackup(state.backups, backupId, change) };
}

export function evolveKeyRing(state: KeyRingState, event: KeyRingEvent): KeyRingState {
  switch (event.type) {
    case 'KeyRingOpened': {
      const d = event.data;
      return {
        ...state,
        exists: true,
        tenantId: d.tenantId,
        keyId: d.keyId,
        keyCustody: d.keyCustody,
        rotationPeriodDays: d.rotationPeriodDays,
        pitrRetentionDays: d.pitrRetentionDays,
        versions: [{ keyVersionId: d.version.keyVersionId, createdAt: d.version.createdAt, source: 'onboarding', retiredAt: null, enabledUntil: null, destroyAt: null, destroyedAt: null }],
        databases: d.databases.map((databaseId) => ({
          databaseId,
          intervals: [{ keyVersionId: d.version.keyVersionId, from: d.at, to: null }],
        })),
      };
    }
    case 'KeyVersionAdded': {
      const d = event.data;
      return {
        ...state,
        versions: [...state.versions, { keyVersionId: d.keyVersionId, createdAt: d.createdAt, source: d.source, retiredAt: null, enabledUntil: null, destroyAt: null, destroyedAt: null }],
      };
    }
    case 'DatabaseReprotected':
      return {
        ...state,
        databases: state.databases.map((db) =>
          db.databaseId === event.data.databaseId ? switchDatabase(db, event.data.toKeyVersionId, event.data.at) : db,
        ),
      };
    case 'DatabaseAdded':
      return {
        ...state,
        databases: [
          ...state.databases,
          { databaseId: event.data.databaseId, intervals: [{ keyVersionId: event.data.keyVersionId, from: event.data.at, to: null }] },
        ],
      };
    case 'DatabaseRotationOverdue':
      return { ...state, overdueRaised: [...state.overdueRaised, overdueKey(event.data.databaseId, event.data.keyVersionId)] };
    case 'RotationPeriodChanged':
      return { ...state, rotationPeriodDays: event.data.rotationPeriodDays };
    case 'BackupPolicyChanged':
      return { ...state, pitrRetentionDays: event.data.pitrRetentionDays };
    case 'KeyRotationDue':
      return { ...state, rotationDueRaised: [...state.rotationDueRaised, event.data.keyVersionId] };
    case 'BackupRecorded': {
      // The grant is the audit trail's fact (the event keeps it); the ring decides nothing on it.
      const { at: _at, grantId: _grantId, ...d } = event.data;
      const backup: BackupState = { ...d, deletedAt: null };
      return { ...state, backups: appendBackup(state.backups, backup) };
    }
    case 'BackupRetentionChanged':
      return updateBackup(state, event.data.backupId, (b) => ({ ...b, expiresAt: event.data.expiresAt }));
    case 'BackupDeleted':
      return updateBackup(state, event.data.backupId, (b) => ({ ...b, deletedAt: event.data.at }));
    case 'StagingAssetRegistered':
      return {
        ...state,
        stagingAssets: [...state.stagingAssets, { assetId: event.data.assetId, expiresAt: event.data.expiresAt, registeredAt: event.data.at }],
      };
    case 'KeyVersionRetired':
      return archiveSettledBackups(
        {
          ...state,
          versions: state.versions.map((v) => (v.keyVersionId === event.data.keyVersionId ? { ...v, retiredAt: event.data.at, enabledUntil: null, ...destructionOf(event.data) } : v)),
        },
        event.data.at,
      );
    case 'KeyVersionDestroyed':
      return { ...state, versions: state.versions.map((v) => (v.keyVersionId === event.data.keyVersionId ? { ...v, destroyedAt: event.data.at } : v)) };
    case 'KeyRingDestroyed':
      return { ...state, destroyed: true };
    case 'KeyVersionEnabled':
      return {
        ...state,
        versions: state.versions.map((v) => (v.keyVersionId === event.data.keyVersionId ? { ...v, retiredAt: null, enabledUntil: event.data.until, destroyAt: null } : v)),
      };
  }
}

// ---- pure queries -------------------------------------------------------------------------------

const ms = (instant: string) => Date.parse(instant);

export function addDays(instant: string, days: number): string {
  return new Date(ms(instant) + days * DAY_MS).toISOString();
}

export function newestVersion(state: KeyRingState): KeyVersionState | null {
  return state.versions[state.versions.length - 1] ?? null;
}

export function findVersion(state: KeyRingState, keyVersionId: string): KeyVersionState | null {
  return state.versions.find((v) => v.keyVersionId === keyVersionId) ?? null;
}

/** Position in the order added (-1 when unknown): a higher index is a newer version. */
export function versionIndex(state: KeyRingState, keyVersionId: string): number {
  return state.versions.findIndex((v) => v.keyVersionId === keyVersionId);
}

export function findDatabase(state: KeyRingState, databaseId: string): DatabaseProtection | null {
  return state.databases.find((d) => d.databaseId === databaseId) ?? null;
}

export function findBackup(state: KeyRingState, backupId: string): BackupState | null {
  return backupById(state.backups, backupId) ?? null;
}

export function findStagingAsset(state: KeyRingState, assetId: string): StagingAssetState | null {
  return state.stagingAssets.find((a) => a.assetId === assetId) ?? null;
}

/** The version protecting the database now, or null for an unknown database. */
export function currentVersionOf(state: KeyRingState, databaseId: string): string | null {
  const db = findDatabase(state, databaseId);
  return db?.intervals[db.intervals.length - 1]?.keyVersionId ?? null;
}

/** The version protecting the database at an instant, or null if it did not exist yet. */
export function versionProtectingAt(state: KeyRingState, databaseId: string, at: string): string | null {
  const t = ms(at);
  const db = findDatabase(state, databaseId);
  const hit = db?.intervals.find((i) => ms(i.from) <= t && (i.to === null || ms(i.to) > t));
  return hit?.keyVersionId ?? null;
}

/**
 * Versions whose protection interval [from_i, to_i) meets the closed window [from, to], in the
 * order the versions were added.
 */
export function versionsProtecting(state: KeyRingState, databaseId: string, from: string, to: string): string[] {
  const db = findDatabase(state, databaseId);
  if (!db) return [];
  const a = ms(from);
  const b = ms(to);
  const hit = new Set(db.intervals.filter((i) => ms(i.from) <= b && (i.to === null || ms(i.to) > a)).map((i) => i.keyVersionId));
  return state.versions.map((v) => v.keyVersionId).filter((id) => hit.has(id));
}

/** Where a key version stands, as GET /keys and the metrics name it. */
export const KEY_VERSION_STATUSES = ['active', 'superseded', 'retired', 'destroyed'] as const;
export type KeyVersionStatus = (typeof KEY_VERSION_STATUSES)[number];

export function versionStatus(state: KeyRingState, keyVersionId: string): KeyVersionStatus {
  const v = findVersion(state, keyVersionId);
  if (!v) throw new Error(`unknown key version ${keyVersionId}`);
  return statusOfVersion(state, v);
}

/** versionStatus of a version of the ring already at hand (no lookup by id). */
export function statusOfVersion(state: KeyRingState, v: KeyVersionState): KeyVersionStatus {
  if (state.destroyed || v.destroyedAt) return 'destroyed';
  if (v.retiredAt) return 'retired';
  return newestVersion(state)?.keyVersionId === v.keyVersionId ? 'active' : 'superseded';
}

/** P1: the newest version must be replaced by then (its vault creation + the rotation period). */
export function rotationDueAt(state: KeyRingState): string {
  const newest = newestVersion(state);
  if (!newest) throw new Error('the key ring is not open');
  return addDays(newest.createdAt, state.rotationPeriodDays);
}

/** Databases not yet re-protected with the newest version (P2), in the order added. */
export function databasesBehind(state: KeyRingState): string[] {
  const newest = newestVersion(state)?.keyVersionId;
  return state.databases.filter((db) => currentVersionOf(state, db.databaseId) !== newest).map((db) => db.databaseId);
}
