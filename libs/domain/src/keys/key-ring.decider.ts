// Decisions of the key ring aggregate (ARCHITECTURE P1–P3, §3 "Key versions"): versions are added,
// databases re-protected, backups recorded with the versions they need, and superseded versions
// retired once nothing needs them. `now` comes from the context; command instants are normalised to
// ISO strings with milliseconds before they are stored.
import { DomainError, type Decider } from '../shared/decider.js';
import {
  DEFAULT_MAX_BACKUP_RETENTION_DAYS,
  PITR_RETENTION_RULE,
  ROTATION_PERIOD_RULE,
  backupRetentionRule,
  exceedsBackupRetention,
  isPitrRetentionDays,
  isRotationPeriodDays,
  retiredKeyDestroyAt,
} from '../promises.js';
import type { PrivilegedOperation } from '../break-glass/break-glass.events.js';
import type { KeyRingCommand } from './key-ring.commands.js';
import type { KeyRingEvent } from './key-ring.events.js';
import {
  currentVersionOf,
  evolveKeyRing,
  findBackup,
  findDatabase,
  findStagingAsset,
  findVersion,
  initialKeyRingState,
  newestVersion,
  overdueKey,
  rotationDueAt,
  versionIndex,
  versionProtectingAt,
  versionsProtecting,
  type KeyRingState,
} from './key-ring.state.js';
import { isRetirable, retainUntil, retiredAmong } from './retention.js';
import { repeatsArchivedBackup, type ArchivedBackup } from './archived-backups.js';

export interface KeyRingContext {
  readonly now: Date;
  /**
   * For a command naming a backup the state does not hold: that backup as first recorded, when the
   * ring archived it (archived-backups.ts); null or absent otherwise.
   */
  readonly archived?: ArchivedBackup | null;
  /**
   * LETHE_BACKUP_RETENTION_MAX_DAYS: the longest a backup may be kept (expiresAt − takenAt, whole
   * days) without a break-glass grant; DEFAULT_MAX_BACKUP_RETENTION_DAYS when absent.
   */
  readonly maxBackupRetentionDays?: number;
  /**
   * LETHE_RETIRED_KEY_GRACE_DAYS: how long (whole days) a retired version stays disabled before it is
   * destroyed in the vault; DEFAULT_RETIRED_KEY_GRACE_DAYS when absent.
   */
  readonly retiredKeyGraceDays?: number;
}

// ---- Backup retention past the maximum (break-glass `backup.extend-retention`) ----------------------

/** The code a backup kept past the maximum without a grant is refused with (the caller then needs one). */
export const BREAK_GLASS_REQUIRED = 'break-glass-required';
/** The privileged operation that keeps a backup past the maximum. */
export const EXTEND_BACKUP_RETENTION: PrivilegedOperation = 'backup.extend-retention';

/**
 * The grant to record for a backup kept from `takenAt` to `expiresAt`: none within the maximum (a
 * grant named anyway is not used), the command's grant past it; DomainError 'break-glass-required'
 * past it without one.
 */
function retentionGrant(backupId: string, takenAt: string, expiresAt: string, grantId: string | undefined, ctx: KeyRingContext): { readonly grantId?: string } {
  const maxDays = ctx.maxBackupRetentionDays ?? DEFAULT_MAX_BACKUP_RETENTION_DAYS;
  if (!exceedsBackupRetention(takenAt, expiresAt, maxDays)) return {};
  if (grantId === undefined) {
    throw new DomainError(BREAK_GLASS_REQUIRED, `backup ${backupId} would be kept past the maximum retention: ${backupRetentionRule(maxDays)}`);
  }
  return { grantId };
}

/** The archived backup of that id from the context, or null. */
function archivedIn(ctx: KeyRingContext, backupId: string): ArchivedBackup | null {
  return ctx.archived?.backupId === backupId ? ctx.archived : null;
}

const iso = (d: Date) => d.toISOString();

/** A command instant as stored: ISO 8601 UTC with milliseconds. */
function instant(value: string, field: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new DomainError('invalid-instant', `${field} is not an ISO 8601 instant`);
  return new Date(t).toISOString();
}

function requireRing(state: KeyRingState): void {
  if (!state.exists) throw new DomainError('key-ring-not-found', 'key ring not found');
}

function requireNotDestroyed(state: KeyRingState): void {
  if (state.destroyed) throw new DomainError('key-ring-destroyed', 'the key ring was destroyed');
}

function requireRotationPeriod(days: number): void {
  if (!isRotationPeriodDays(days)) throw new DomainError('invalid-rotation-period', `the rotation period ${ROTATION_PERIOD_RULE}`);
}

function requirePitrRetention(days: number): void {
  if (!isPitrRetentionDays(days)) throw new DomainError('invalid-pitr-retention', `the point-in-time retention window ${PITR_RETENTION_RULE}`);
}

function requireVersion(state: KeyRingState, keyVersionId: string): void {
  if (!findVersion(state, keyVersionId)) throw new DomainError('unknown-key-version', `unknown key version ${keyVersionId}`);
}

function requireDatabase(state: KeyRingState, databaseId: string): void {
  if (!findDatabase(state, databaseId)) throw new DomainError('unknown-database', `unknown database ${databaseId}`);
}

function decideRecordBackup(command: Extract<KeyRingCommand, { type: 'RecordBackup' }>, state: KeyRingState, ctx: KeyRingContext, now: string): KeyRingEvent[] {
  requireRing(state);
  const d = {
    backupId: command.data.backupId,
    databaseId: command.data.databaseId,
    kind: command.data.kind,
    coveredFrom: instant(command.data.coveredFrom, 'coveredFrom'),
    takenAt: instant(command.data.takenAt, 'takenAt'),
    expiresAt: instant(command.data.expiresAt, 'expiresAt'),
    protection: command.data.protection,
  };
  const existing = findBackup(state, d.backupId);
  if (existing) {
    const same =
      existing.databaseId === d.databaseId &&
      existing.kind === d.kind &&
      existing.coveredFrom === d.coveredFrom &&
      existing.takenAt === d.takenAt &&
      existing.expiresAt === d.expiresAt &&
      existing.protection === d.protection;
    if (same) return [];
    throw new DomainError('backup-exists', `backup ${d.backupId} is already recorded with other data`);
  }
  const archived = archivedIn(ctx, d.backupId);
  if (archived) {
    if (repeatsArchivedBackup(archived, d)) return [];
    throw new DomainError('backup-exists', `backup ${d.backupId} is already recorded with other data`);
  }
  requireNotDestroyed(state);
  requireDatabase(state, d.databaseId);
  if (Date.parse(d.expiresAt) <= Date.parse(d.takenAt)) {
    throw new DomainError('backup-expiry-before-taken', `backup ${d.backupId} would expire before it was taken`);
  }
  if (Date.parse(d.coveredFrom) > Date.parse(d.takenAt)) {
    throw new DomainError('backup-window-invalid', `backup ${d.backupId} covers a window that starts after it was taken`);
  }
  const grant = retentionGrant(d.backupId, d.takenAt, d.expiresAt, command.data.grantId, ctx);
  // Encrypted with a platform key: no tenant key version is needed to restore it (the shred purges it instead).
  if (d.protection === 'platform-key') {
    return [{ type: 'BackupRecorded', data: { ...d, keyVersionIds: [], restoreKeyVersionId: null, unrestorable: null, ...grant, at: now } }];
  }
  const db = findDatabase(state, d.databaseId)!;
  const first = db.intervals[0]!.keyVersionId;
  const atTaken = versionProtectingAt(state, d.databaseId, d.takenAt);
  const protecting = versionsProtecting(state, d.databaseId, d.coveredFrom, d.takenAt);
  // A window wholly before the database existed (clock skew, or a restore-seeded database) needs
  // the version the database started on.
  const keyVersionIds = protecting.length > 0 ? protecting : [atTaken ?? first];
  // Registered too late: the backup exists whether we like it or not, so it is recorded — flagged,
  // never silently counted as restorable (P3).
  const retired = retiredAmong(state, keyVersionIds);
  const unrestorable = retired.length > 0 ? { reason: 'key-version-retired' as const, keyVersionIds: retired } : null;
  return [{ type: 'BackupRecorded', data: { ...d, keyVersionIds, restoreKeyVersionId: atTaken ?? first, unrestorable, ...grant, at: now } }];
}

function decideRegisterStagingAsset(command: Extract<KeyRingCommand, { type: 'RegisterStagingAsset' }>, state: KeyRingState, now: string): KeyRingEvent[] {
  requireRing(state);
  const assetId = command.data.assetId;
  const expiresAt = command.data.expiresAt === null ? null : instant(command.data.expiresAt, 'expiresAt');
  const existing = findStagingAsset(state, assetId);
  if (existing) {
    if (existing.expiresAt === expiresAt) return [];
    throw new DomainError('staging-asset-exists', `staging asset ${assetId} is already registered with other data`);
  }
  requireNotDestroyed(state);
  return [{ type: 'StagingAssetRegistered', data: { assetId, expiresAt, at: now } }];
}

/**
 * Break-glass `key-version.enable`: only a retired version of a live ring comes back, until the
 * grant's window end. The same command again (same version and window) records nothing, so the
 * lifecycle may retry after its vault call; a version not retired is refused, as is a shredded ring
 * (a destroyed key never comes back, P4).
 */
function decideEnableKeyVersion(command: Extract<KeyRingCommand, { type: 'EnableKeyVersion' }>, state: KeyRingState, ctx: KeyRingContext, now: string): KeyRingEvent[] {
  requireRing(state);
  const { keyVersionId, grantId } = command.data;
  requireVersion(state, keyVersionId);
  requireNotDestroyed(state);
  const until = instant(command.data.until, 'until');
  const version = findVersion(state, keyVersionId)!;
  if (version.destroyedAt || (version.destroyAt !== null && ctx.now.getTime() >= Date.parse(version.destroyAt))) {
    throw new DomainError('key-version-destroyed', `key version ${keyVersionId} was destroyed in the key vault after its grace as a retired version: it can never be enabled again`);
  }
  if (!version.retiredAt) {
    if (version.enabledUntil === until) return [];
    throw new DomainError('key-version-not-retired', `key version ${keyVersionId} is not retired (not disabled): there is nothing to enable`);
  }
  if (Date.parse(until) <= ctx.now.getTime()) throw new DomainError('enable-window-ended', `the window to enable key version ${keyVersionId} in has ended`);
  return [{ type: 'KeyVersionEnabled', data: { keyVersionId, until, grantId, at: now } }];
}

/**
 * P3: a retired version's grace is over (now ≥ destroyAt): KeyVersionDestroyed, recorded before the
 * vault call so nothing can enable it meanwhile. Nothing when already destroyed (a retry) or when the
 * ring was shredded (the shred destroyed every version); a version enabled again since is refused
 * (its timer is stale), as is one whose grace has not run out.
 */
function decideDestroyKeyVersion(command: Extract<KeyRingCommand, { type: 'DestroyKeyVersion' }>, state: KeyRingState, ctx: KeyRingContext, now: string): KeyRingEvent[] {
  requireRing(state);
  const { keyVersionId } = command.data;
  requireVersion(state, keyVersionId);
  const version = findVersion(state, keyVersionId)!;
  if (state.destroyed || version.destroyedAt) return [];
  if (!version.retiredAt || version.destroyAt === null) {
    throw new DomainError('key-version-not-retired', `key version ${keyVersionId} is not retired: it is not destroyed`);
  }
  if (ctx.now.getTime() < Date.parse(version.destroyAt)) {
    throw new DomainError('key-version-grace-running', `key version ${keyVersionId} stays disabled until ${version.destroyAt} before it is destroyed`);
  }
  return [{ type: 'KeyVersionDestroyed', data: { keyVersionId, at: now } }];
}

export function decideKeyRing(command: KeyRingCommand, state: KeyRingState, ctx: KeyRingContext): KeyRingEvent[] {
  const now = iso(ctx.now);
  switch (command.type) {
    case 'OpenKeyRing': {
      if (state.exists) throw new DomainError('key-ring-exists', 'key ring already exists');
      const d = command.data;
      requireRotationPeriod(d.rotationPeriodDays);
      requirePitrRetention(d.pitrRetentionDays);
      const dup = d.databases.find((id, i) => d.databases.indexOf(id) !== i);
      if (dup !== undefined) throw new DomainError('database-exists', `database ${dup} is listed twice`);
      return [
        {
          type: 'KeyRingOpened',
          data: {
            tenantId: d.tenantId,
            keyId: d.keyId,
            keyCustody: d.keyCustody,
            rotationPeriodDays: d.rotationPeriodDays,
            pitrRetentionDays: d.pitrRetentionDays,
            version: { keyVersionId: d.version.keyVersionId, createdAt: instant(d.version.createdAt, 'createdAt') },
            databases: [...d.databases],
            at: now,
          },
        },
      ];
    }
    case 'AddKeyVersion': {
      requireRing(state);
      const d = command.data;
      if (findVersion(state, d.keyVersionId)) return [];
      requireNotDestroyed(state);
      return [{ type: 'KeyVersionAdded', data: { keyVersionId: d.keyVersionId, source: d.source, createdAt: instant(d.createdAt, 'createdAt'), at: now } }];
    }
    case 'RecordReprotection': {
      requireRing(state);
      const d = command.data;
      requireDatabase(state, d.databaseId);
      requireVersion(state, d.fromKeyVersionId);
      requireVersion(state, d.toKeyVersionId);
      const current = currentVersionOf(state, d.databaseId);
      if (current === d.toKeyVersionId) return [];
      requireNotDestroyed(state);
      if (current !== d.fromKeyVersionId) {
        throw new DomainError('database-not-on-version', `database ${d.databaseId} is not protected by ${d.fromKeyVersionId}`);
      }
      if (findVersion(state, d.toKeyVersionId)!.retiredAt) {
        throw new DomainError('key-version-retired', `key version ${d.toKeyVersionId} is retired`);
      }
      return [{ type: 'DatabaseReprotected', data: { ...d, at: now } }];
    }
    case 'AddDatabase': {
      requireRing(state);
      requireNotDestroyed(state);
      const { databaseId } = command.data;
      if (findDatabase(state, databaseId)) throw new DomainError('database-exists', `database ${databaseId} already exists`);
      return [{ type: 'DatabaseAdded', data: { databaseId, keyVersionId: newestVersion(state)!.keyVersionId, at: now } }];
    }
    case 'FlagOverdueDatabases': {
      requireRing(state);
      const { keyVersionId } = command.data;
      requireVersion(state, keyVersionId);
      const dueBy = instant(command.data.dueBy, 'dueBy');
      if (state.destroyed || ctx.now.getTime() < Date.parse(dueBy)) return [];
      const target = versionIndex(state, keyVersionId);
      return state.databases
        .filter((db) => versionIndex(state, currentVersionOf(state, db.databaseId)!) < target)
        .filter((db) => !state.overdueRaised.includes(overdueKey(db.databaseId, keyVersionId)))
        .map((db): KeyRingEvent => ({ type: 'DatabaseRotationOverdue', data: { databaseId: db.databaseId, keyVersionId, dueBy, at: now } }));
    }
    case 'ChangeRotationPeriod': {
      requireRing(state);
      const { rotationPeriodDays } = command.data;
      requireRotationPeriod(rotationPeriodDays);
      if (rotationPeriodDays === state.rotationPeriodDays) return [];
      requireNotDestroyed(state);
      return [{ type: 'RotationPeriodChanged', data: { rotationPeriodDays, at: now } }];
    }
    case 'ChangeBackupPolicy': {
      requireRing(state);
      const { pitrRetentionDays } = command.data;
      requirePitrRetention(pitrRetentionDays);
      if (pitrRetentionDays === state.pitrRetentionDays) return [];
      requireNotDestroyed(state);
      return [{ type: 'BackupPolicyChanged', data: { pitrRetentionDays, at: now } }];
    }
    case 'RaiseRotationDue': {
      requireRing(state);
      if (state.destroyed || state.keyCustody !== 'client') return [];
      const newest = newestVersion(state)!;
      const dueAt = rotationDueAt(state);
      if (ctx.now.getTime() < Date.parse(dueAt) || state.rotationDueRaised.includes(newest.keyVersionId)) return [];
      return [{ type: 'KeyRotationDue', data: { keyVersionId: newest.keyVersionId, dueAt, at: now } }];
    }
    case 'RecordBackup':
      return decideRecordBackup(command, state, ctx, now);
    case 'ChangeBackupRetention': {
      requireRing(state);
      const { backupId } = command.data;
      // Archived: its retention ran out and every version it needs is retired, so no new expiry can
      // make it restorable or hold a version again.
      const backup = findBackup(state, backupId);
      if (!backup && archivedIn(ctx, backupId)) return [];
      if (!backup || backup.deletedAt) throw new DomainError('backup-not-found', `backup ${backupId} not found`);
      const expiresAt = instant(command.data.expiresAt, 'expiresAt');
      if (Date.parse(expiresAt) <= Date.parse(backup.takenAt)) {
        throw new DomainError('backup-expiry-before-taken', `backup ${backupId} would expire before it was taken`);
      }
      if (expiresAt === backup.expiresAt) return [];
      // Only a longer retention past the maximum needs a grant: shortening one (even one still past it) never does.
      const grant = Date.parse(expiresAt) > Date.parse(backup.expiresAt) ? retentionGrant(backupId, backup.takenAt, expiresAt, command.data.grantId, ctx) : {};
      return [{ type: 'BackupRetentionChanged', data: { backupId, expiresAt, ...grant, at: now } }];
    }
    case 'DeleteBackup': {
      requireRing(state);
      const { backupId } = command.data;
      const backup = findBackup(state, backupId);
      if (!backup && archivedIn(ctx, backupId)) return [];
      if (!backup) throw new DomainError('backup-not-found', `backup ${backupId} not found`);
      if (backup.deletedAt) return [];
      return [{ type: 'BackupDeleted', data: { backupId, at: now } }];
    }
    case 'RegisterStagingAsset':
      return decideRegisterStagingAsset(command, state, now);
    case 'RetireKeyVersion': {
      requireRing(state);
      const { keyVersionId } = command.data;
      requireVersion(state, keyVersionId);
      // Fired from a timer set earlier: re-check the live state, never trust the old date.
      if (!isRetirable(state, keyVersionId, ctx.now)) return [];
      const destroyAt = retiredKeyDestroyAt(ctx.now, ctx.retiredKeyGraceDays);
      return [{ type: 'KeyVersionRetired', data: { keyVersionId, retainUntil: retainUntil(state, keyVersionId)!, at: now, destroyAt } }];
    }
    case 'DestroyKeyVersion':
      return decideDestroyKeyVersion(command, state, ctx, now);
    case 'EnableKeyVersion':
      return decideEnableKeyVersion(command, state, ctx, now);
    case 'DestroyKeyRing': {
      requireRing(state);
      if (state.destroyed) return [];
      return [{ type: 'KeyRingDestroyed', data: { at: now } }];
    }
  }
}

export const keyRingDecider: Decider<KeyRingCommand, KeyRingEvent, KeyRingState, KeyRingContext> = {
  initialState: initialKeyRingState,
  evolve: evolveKeyRing,
  decide: decideKeyRing,
};
