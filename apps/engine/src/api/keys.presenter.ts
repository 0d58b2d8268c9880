// Response bodies of the key ring routes (/v1/tenants/{id}/keys, databases, backups, staging assets),
// typed with their schemas in keys.answers.ts (the backup list is the read model's page as it is).
import { findBackup, type KeyRingState, type StagingAssetState } from '@lethe/domain';
import type { KeyRingVersions, RestoreCheck, RotatedKey } from '@lethe/lifecycle';
import type { AddedDatabaseAnswer, BackupAnswer, KeysAnswer, PolicyAnswer, RestoreCheckAnswer, RotatedAnswer, StagingAssetAnswer, StagingAssetsAnswer } from './keys.answers.js';

/** The ring and a page of its versions, each with the count of backups holding it. */
export function keysBody(tenantId: string, { ring, versions }: NonNullable<KeyRingVersions>): KeysAnswer {
  const { keyCustody, rotationPeriodDays, pitrRetentionDays, databases } = ring;
  return { tenantId, keyCustody, rotationPeriodDays, pitrRetentionDays, databases, versions: versions.items, nextCursor: versions.nextCursor };
}

export function policyBody(tenantId: string, state: KeyRingState): PolicyAnswer {
  return { tenantId, rotationPeriodDays: state.rotationPeriodDays, pitrRetentionDays: state.pitrRetentionDays };
}

export function rotatedBody(rotated: RotatedKey): RotatedAnswer {
  return { keyVersionId: rotated.keyVersionId, createdAt: rotated.createdAt };
}

/** The database as added: its id and the version protecting it. */
export function addedDatabaseBody(state: KeyRingState, databaseId: string): AddedDatabaseAnswer {
  const db = state.databases.find((d) => d.databaseId === databaseId)!;
  return { databaseId: db.databaseId, keyVersionId: db.intervals[db.intervals.length - 1].keyVersionId };
}

/**
 * One backup as the key ring has it after the command; once archived (its retention ran out and
 * every version it needs is retired, so the command recorded nothing), `{backupId, archived: true}`.
 */
export function backupBody(state: KeyRingState, backupId: string): BackupAnswer {
  const backup = findBackup(state, backupId);
  return backup ? { ...backup } : { backupId, archived: true };
}

export function restoreCheckBody(check: RestoreCheck): RestoreCheckAnswer {
  return { ...check };
}

export function stagingAssetBody(asset: StagingAssetState): StagingAssetAnswer {
  return { ...asset };
}

export function stagingAssetsBody(assets: readonly StagingAssetState[]): StagingAssetsAnswer {
  return { stagingAssets: assets };
}
