// What the API asks of a tenant's keys and backups: manual rotation, the rotation period,
// databases added later, backups and their retention, restore checks, and detection of versions
// created in the vault by someone else (a client rotating its own key).
import type { Clock } from '@lethe/clock';
import { decideKeys, DomainError, newestVersion, type KeysState } from '@lethe/domain';
import type { KeyVault } from '@lethe/vault';
import type { KeyRingRepository } from './key-ring-repository.js';

export interface BackupInput {
  readonly backupId: string;
  readonly databaseId: string;
  readonly kind: 'pitr' | 'full' | 'ltr';
  readonly coveredFrom: string;
  readonly takenAt: string;
  readonly expiresAt: string;
}

export type RestoreCheck =
  | { readonly restorable: true; readonly keyVersionId: string }
  | { readonly restorable: false; readonly keyVersionId: string | null; readonly reason: string; readonly detail: string };

export interface BackupDataPlane {
  protectDatabase(tenantId: string, databaseId: string, keyVersionId: string): Promise<void>;
  recordBackup(tenantId: string, backupId: string, databaseId: string, keyVersionId: string): Promise<void>;
  deleteBackup(tenantId: string, backupId: string): Promise<void>;
  restoreCheck(tenantId: string, backupId: string): Promise<RestoreCheck>;
}

export class KeysService {
  constructor(
    private readonly keys: KeyRingRepository,
    private readonly vault: Pick<KeyVault, 'createVersion' | 'listVersions'>,
    private readonly dataPlane: BackupDataPlane,
    private readonly clock: Clock,
  ) {}

  async state(tenantId: string): Promise<KeysState> {
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

  async changeRotationPeriod(tenantId: string, rotationPeriodDays: number): Promise<KeysState> {
    await this.state(tenantId);
    const { state } = await this.keys.execute(tenantId, { type: 'ChangeRotationPeriod', data: { rotationPeriodDays } }, `rotation-period:${this.clock.now().toISOString()}:${rotationPeriodDays}`);
    return state;
  }

  async addDatabase(tenantId: string, databaseId: string): Promise<KeysState> {
    const state = await this.state(tenantId);
    // Validate before touching the data plane, so a refused request leaves nothing behind.
    decideKeys({ type: 'AddDatabase', data: { databaseId } }, state, { now: this.clock.now() });
    await this.dataPlane.protectDatabase(tenantId, databaseId, newestVersion(state)!.keyVersionId);
    const { state: after } = await this.keys.execute(tenantId, { type: 'AddDatabase', data: { databaseId } }, `add-database:${databaseId}`);
    return after;
  }

  async recordBackup(tenantId: string, input: BackupInput): Promise<KeysState> {
    const state = await this.state(tenantId);
    const command = { type: 'RecordBackup' as const, data: input };
    const decided = decideKeys(command, state, { now: this.clock.now() });
    const recorded = decided.find((e) => e.type === 'BackupRecorded');
    // The backup's data key is wrapped with the version protecting its database when it was taken.
    if (recorded) await this.dataPlane.recordBackup(tenantId, input.backupId, input.databaseId, recorded.data.restoreKeyVersionId);
    const { state: after } = await this.keys.execute(tenantId, command, `backup:${input.backupId}`);
    return after;
  }

  async changeBackupRetention(tenantId: string, backupId: string, expiresAt: string): Promise<KeysState> {
    await this.state(tenantId);
    const { state } = await this.keys.execute(tenantId, { type: 'ChangeBackupRetention', data: { backupId, expiresAt } }, `backup-retention:${backupId}:${expiresAt}`);
    return state;
  }

  async deleteBackup(tenantId: string, backupId: string): Promise<KeysState> {
    await this.state(tenantId);
    const { state } = await this.keys.execute(tenantId, { type: 'DeleteBackup', data: { backupId } }, `backup-deleted:${backupId}`);
    await this.dataPlane.deleteBackup(tenantId, backupId);
    return state;
  }

  async restoreCheck(tenantId: string, backupId: string): Promise<RestoreCheck> {
    const state = await this.state(tenantId);
    if (!state.backups.some((b) => b.backupId === backupId)) throw new DomainError('backup-not-found', 'backup not found');
    return this.dataPlane.restoreCheck(tenantId, backupId);
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
