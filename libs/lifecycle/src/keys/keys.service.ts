// What the API asks of a tenant's keys and backups: manual rotation, the rotation period and the
// backup policy, databases added later, backups and their retention, restore checks, staging
// assets, and detection of versions created in the vault by someone else (a client rotating its
// own key).
import type { Clock } from '@lethe/clock';
import {
  decideKeyRing,
  DomainError,
  findBackup,
  findStagingAsset,
  newestVersion,
  type BackupProtection,
  type BackupState,
  type KeyRingState,
  type StagingAssetState,
} from '@lethe/domain';
import type { KeyVault } from '@lethe/vault';
import type { KeyRingRepository } from './key-ring-repository.js';
import type { TenantFactsOf } from './tenant-facts.js';

export interface BackupInput {
  readonly backupId: string;
  readonly databaseId: string;
  readonly kind: 'pitr' | 'full' | 'ltr';
  readonly coveredFrom: string;
  readonly takenAt: string;
  readonly expiresAt: string;
}

export interface StagingAssetInput {
  readonly assetId: string;
  /** ISO 8601 instant, or null when the platform gave no expiry. */
  readonly expiresAt: string | null;
}

/** The data plane's own verdict on a customer-key backup (it unwraps and decrypts). */
export type DataPlaneRestoreCheck =
  | { readonly restorable: true; readonly keyVersionId: string }
  | { readonly restorable: false; readonly keyVersionId: string | null; readonly reason: string; readonly detail: string };

/**
 * The answer to a restore check: what protects the backup, and whether it could be restored.
 * keyVersionId: the tenant key version involved (null for a platform-key backup). reason (when not
 * restorable): the data plane's ('key-version-destroyed', 'asset-purged', …), 'backup-deleted', or
 * for a backup recorded after a version it needs was retired 'key-version-retired' /
 * 'key-version-destroyed' (as the vault now has it). detail names ids only.
 */
export type RestoreCheck =
  | { readonly restorable: true; readonly protection: BackupProtection; readonly keyVersionId: string | null }
  | { readonly restorable: false; readonly protection: BackupProtection; readonly keyVersionId: string | null; readonly reason: string; readonly detail: string };

export interface BackupDataPlane {
  protectDatabase(tenantId: string, databaseId: string, keyVersionId: string): Promise<void>;
  recordBackup(tenantId: string, backupId: string, databaseId: string, keyVersionId: string): Promise<void>;
  deleteBackup(tenantId: string, backupId: string): Promise<void>;
  restoreCheck(tenantId: string, backupId: string): Promise<DataPlaneRestoreCheck>;
  addPlatformBackup(tenantId: string, backupId: string, databaseId: string): Promise<void>;
  addStagingAsset(tenantId: string, assetId: string): Promise<void>;
  checkAsset(
    tenantId: string,
    kind: 'platform-backup',
    assetId: string,
  ): Promise<{ readonly readable: true } | { readonly readable: false; readonly reason: string; readonly detail: string }>;
}

/**
 * Whether the data plane keeps a copy of the backup's data key: only for a customer-key backup, and
 * not when the version it would be wrapped with was already retired when the backup was recorded.
 */
function hasDataKeyCopy(b: Pick<BackupState, 'protection' | 'restoreKeyVersionId' | 'unrestorable'>): boolean {
  return b.protection === 'customer-key' && b.restoreKeyVersionId !== null && !b.unrestorable?.keyVersionIds.includes(b.restoreKeyVersionId);
}

const SHRED_EXECUTED = 'the tenant was shredded: nothing can be attached to it any more';

export class KeysService {
  constructor(
    private readonly keys: KeyRingRepository,
    private readonly vault: Pick<KeyVault, 'createVersion' | 'listVersions'>,
    private readonly dataPlane: BackupDataPlane,
    private readonly clock: Clock,
    private readonly tenantFacts: TenantFactsOf,
  ) {}

  async state(tenantId: string): Promise<KeyRingState> {
    const { state } = await this.keys.load(tenantId);
    if (!state.exists) throw new DomainError('tenant-not-found', 'tenant not found');
    return state;
  }

  async rotate(tenantId: string): Promise<{ keyVersionId: string; createdAt: string }> {
    const state = await this.state(tenantId);
    if (state.destroyed) throw new DomainError('key-ring-destroyed', 'the tenant was shredded: its key can never get a version again');
    if (state.keyCustody === 'client') throw new DomainError('client-held-key', 'the client holds this key: Lethe cannot create its versions');
    const created = await this.vault.createVersion(state.keyId!);
    await this.keys.execute(
      tenantId,
      { type: 'AddKeyVersion', data: { keyVersionId: created.versionId, source: 'manual', createdAt: created.createdAt.toISOString() } },
      `rotate:${created.versionId}`,
    );
    return { keyVersionId: created.versionId, createdAt: created.createdAt.toISOString() };
  }

  async changeRotationPeriod(tenantId: string, rotationPeriodDays: number): Promise<KeyRingState> {
    await this.state(tenantId);
    const { state } = await this.keys.execute(tenantId, { type: 'ChangeRotationPeriod', data: { rotationPeriodDays } }, `rotation-period:${this.clock.now().toISOString()}:${rotationPeriodDays}`);
    return state;
  }

  /** The point-in-time retention window (days, see @lethe/domain backup-policy): moves retention timers. */
  async changeBackupPolicy(tenantId: string, pitrRetentionDays: number): Promise<KeyRingState> {
    await this.state(tenantId);
    const { state } = await this.keys.execute(tenantId, { type: 'ChangeBackupPolicy', data: { pitrRetentionDays } }, `backup-policy:${this.clock.now().toISOString()}:${pitrRetentionDays}`);
    return state;
  }

  async addDatabase(tenantId: string, databaseId: string): Promise<KeyRingState> {
    const state = await this.state(tenantId);
    // Validate before touching the data plane, so a refused request leaves nothing behind.
    decideKeyRing({ type: 'AddDatabase', data: { databaseId } }, state, { now: this.clock.now() });
    await this.dataPlane.protectDatabase(tenantId, databaseId, newestVersion(state)!.keyVersionId);
    const { state: after } = await this.keys.execute(tenantId, { type: 'AddDatabase', data: { databaseId } }, `add-database:${databaseId}`);
    return after;
  }

  /**
   * Records a backup as the key ring decides it: a tenant with backupKeyMode 'platform' gets a
   * platform-key asset in the data plane (the shred purges it); otherwise the data plane keeps the
   * backup's data key wrapped with the version protecting its database when it was taken — unless
   * that version is already retired, when the backup is recorded flagged and nothing can be wrapped.
   * DomainError 'tenant-shredded' once the shred was executed (a replay still answers).
   */
  async recordBackup(tenantId: string, input: BackupInput): Promise<KeyRingState> {
    const state = await this.state(tenantId);
    const facts = await this.tenantFacts(tenantId);
    const protection: BackupProtection = facts.backupKeyMode === 'platform' ? 'platform-key' : 'customer-key';
    const command = { type: 'RecordBackup' as const, data: { ...input, protection } };
    const decided = decideKeyRing(command, state, { now: this.clock.now() });
    const recorded = decided.find((e) => e.type === 'BackupRecorded');
    if (recorded) {
      if (facts.shredExecuted) throw new DomainError('tenant-shredded', SHRED_EXECUTED);
      const d = recorded.data;
      if (d.protection === 'platform-key') await this.dataPlane.addPlatformBackup(tenantId, d.backupId, d.databaseId);
      else if (hasDataKeyCopy(d)) await this.dataPlane.recordBackup(tenantId, d.backupId, d.databaseId, d.restoreKeyVersionId!);
    }
    const { state: after } = await this.keys.execute(tenantId, command, `backup:${input.backupId}`);
    return after;
  }

  async changeBackupRetention(tenantId: string, backupId: string, expiresAt: string): Promise<KeyRingState> {
    await this.state(tenantId);
    const { state } = await this.keys.execute(tenantId, { type: 'ChangeBackupRetention', data: { backupId, expiresAt } }, `backup-retention:${backupId}:${expiresAt}`);
    return state;
  }

  async deleteBackup(tenantId: string, backupId: string): Promise<KeyRingState> {
    await this.state(tenantId);
    const { state } = await this.keys.execute(tenantId, { type: 'DeleteBackup', data: { backupId } }, `backup-deleted:${backupId}`);
    // Only a customer-key copy recorded in the data plane has a data key to erase. A platform-key
    // backup stays an asset until the shred purges it: we cannot prove the platform erased it.
    if (hasDataKeyCopy(findBackup(state, backupId)!)) await this.dataPlane.deleteBackup(tenantId, backupId);
    return state;
  }

  async restoreCheck(tenantId: string, backupId: string): Promise<RestoreCheck> {
    const state = await this.state(tenantId);
    const backup = findBackup(state, backupId);
    if (!backup) throw new DomainError('backup-not-found', 'backup not found');
    const { protection } = backup;
    if (backup.deletedAt) {
      return { restorable: false, protection, keyVersionId: backup.restoreKeyVersionId, reason: 'backup-deleted', detail: `backup ${backupId} was deleted at ${backup.deletedAt}` };
    }
    if (protection === 'platform-key') {
      const check = await this.dataPlane.checkAsset(tenantId, 'platform-backup', backupId);
      return check.readable ? { restorable: true, protection, keyVersionId: null } : { restorable: false, protection, keyVersionId: null, reason: check.reason, detail: check.detail };
    }
    if (backup.unrestorable) return this.unrestorable(state, backup);
    return { ...(await this.dataPlane.restoreCheck(tenantId, backupId)), protection };
  }

  /** A backup recorded after a version it needs was retired: say which, and how gone it is now. */
  private async unrestorable(state: KeyRingState, backup: BackupState): Promise<RestoreCheck> {
    const keyVersionId = backup.unrestorable!.keyVersionIds[0]!;
    const versions = await this.vault.listVersions(state.keyId!).catch(() => []);
    const destroyed = versions.some((v) => v.versionId === keyVersionId && v.state === 'destroyed');
    return {
      restorable: false,
      protection: backup.protection,
      keyVersionId,
      reason: destroyed ? 'key-version-destroyed' : 'key-version-retired',
      detail: `backup ${backup.backupId} needs key version ${keyVersionId}, retired before the backup was recorded`,
    };
  }

  /**
   * Registers a staging blob (sealed with the platform key, so the shred must purge it): in the
   * data plane first, then in the key ring. Idempotent by assetId; DomainError
   * 'staging-asset-exists' for the same id with another expiry, 'tenant-shredded' once the shred
   * was executed, 'key-ring-destroyed' after it.
   */
  async registerStagingAsset(tenantId: string, input: StagingAssetInput): Promise<StagingAssetState> {
    const state = await this.state(tenantId);
    const command = { type: 'RegisterStagingAsset' as const, data: input };
    if (decideKeyRing(command, state, { now: this.clock.now() }).length > 0) {
      if ((await this.tenantFacts(tenantId)).shredExecuted) throw new DomainError('tenant-shredded', SHRED_EXECUTED);
      await this.dataPlane.addStagingAsset(tenantId, input.assetId);
    }
    const { state: after } = await this.keys.execute(tenantId, command, `staging-asset:${input.assetId}`);
    return findStagingAsset(after, input.assetId)!;
  }

  async stagingAssets(tenantId: string): Promise<readonly StagingAssetState[]> {
    return (await this.state(tenantId)).stagingAssets;
  }

  /** Records versions that exist in the vault but not in the key ring (created by the client). */
  async detectVersions(tenantId: string): Promise<string[]> {
    const { state } = await this.keys.load(tenantId);
    if (!state.exists || state.destroyed) return [];
    const known = new Set(state.versions.map((v) => v.keyVersionId));
    const found = (await this.vault.listVersions(state.keyId!))
      .filter((v) => !known.has(v.versionId) && v.state === 'enabled')
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    for (const v of found) {
      await this.keys.execute(
        tenantId,
        { type: 'AddKeyVersion', data: { keyVersionId: v.versionId, source: 'detected', createdAt: v.createdAt.toISOString() } },
        `detected:${v.versionId}`,
      );
    }
    return found.map((v) => v.versionId);
  }
}
