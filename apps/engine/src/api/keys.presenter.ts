// Response bodies of the key ring routes (/v1/tenants/{id}/keys, databases, backups, staging assets).
import type { BackupState, KeyRingState, StagingAssetState } from '@lethe/domain';
import type { KeyRingVersions, RestoreCheck, RotatedKey } from '@lethe/lifecycle';
import type { BackupView } from '@lethe/readmodel';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function keysBody(tenantId: string, { ring, versions }: NonNullable<KeyRingVersions>) {
  return {
    tenantId,
    keyCustody: ring.keyCustody,
    rotationPeriodDays: ring.rotationPeriodDays,
    pitrRetentionDays: ring.pitrRetentionDays,
    databases: ring.databases,
    versions: versions.map((v) => ({
      keyVersionId: v.keyVersionId,
      status: v.status,
      source: v.source,
      createdAt: iso(v.createdAt),
      retainUntil: iso(v.retainUntil),
      retiredAt: iso(v.retiredAt),
      backupIds: v.backupIds,
    })),
  };
}

export function backupsBody(rows: readonly BackupView[]) {
  return {
    backups: rows.map((b) => ({
      backupId: b.backupId,
      databaseId: b.databaseId,
      kind: b.kind,
      coveredFrom: iso(b.coveredFrom),
      takenAt: iso(b.takenAt),
      expiresAt: iso(b.expiresAt),
      deletedAt: iso(b.deletedAt),
      protection: b.protection,
      keyVersionIds: b.keyVersionIds,
      unrestorable: b.unrestorable,
    })),
  };
}

export function policyBody(tenantId: string, state: KeyRingState) {
  return { tenantId, rotationPeriodDays: state.rotationPeriodDays, pitrRetentionDays: state.pitrRetentionDays };
}

export function rotatedBody(rotated: RotatedKey) {
  return { keyVersionId: rotated.keyVersionId, createdAt: rotated.createdAt };
}

/** The database as added: its id and the version protecting it. */
export function addedDatabaseBody(state: KeyRingState, databaseId: string) {
  const db = state.databases.find((d) => d.databaseId === databaseId)!;
  return { databaseId: db.databaseId, keyVersionId: db.intervals[db.intervals.length - 1].keyVersionId };
}

/** One backup as the key ring has it after the command. */
export function backupBody(state: KeyRingState, backupId: string): BackupState {
  return { ...state.backups.find((b) => b.backupId === backupId)! };
}

export function restoreCheckBody(check: RestoreCheck) {
  return { ...check };
}

export function stagingAssetBody(asset: StagingAssetState) {
  return { ...asset };
}

export function stagingAssetsBody(assets: readonly StagingAssetState[]) {
  return { stagingAssets: assets };
}
