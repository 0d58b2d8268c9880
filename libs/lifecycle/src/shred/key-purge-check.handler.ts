// Fires when a shred's destroyed key material is expected to be purged (a vault that only
// soft-deletes: Azure Key Vault under purge protection purges at the end of its retention). Asks the
// vault for the versions and records KeyMaterialPurged once it reports every one purged; otherwise it
// asks again later (nextPurgeCheck / purgeRecheckAt), with an alert when the purge is overdue or the
// vault shows a destroyed version usable again (a key recovered outside Lethe).
import type { Logger } from 'pino';
import type { Clock } from '@lethe/clock';
import { nextPurgeCheck, purgeRecheckAt } from '@lethe/domain';
import type { Deadline, DeadlineFireContext } from '@lethe/scheduler';
import type { KeyRingRepository } from '../keys/key-ring-repository.js';
import type { TenantRepository } from '../tenants/tenant-repository.js';
import type { ShredTimerPayload } from './shred-deadlines.js';
import type { PurgeCheckVault } from './shred-ports.js';

export class KeyPurgeCheckHandler {
  constructor(
    private readonly tenants: TenantRepository,
    private readonly keyRings: KeyRingRepository,
    private readonly vault: PurgeCheckVault,
    private readonly clock: Clock,
    private readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>,
  ) {}

  readonly handle = async (deadline: Deadline, context: DeadlineFireContext): Promise<void> => {
    const { tenantId, shredId } = deadline.payload as ShredTimerPayload;
    const loaded = await this.tenants.load(tenantId);
    const shred = loaded.state.shred;
    if (!shred || shred.shredId !== shredId) return;
    const now = this.clock.now();
    const action = nextPurgeCheck(loaded.state, now);
    if (action.kind === 'none') return;
    if (action.kind === 'wait') return context.rescheduleAt(new Date(action.until));
    // The key the shred destroyed (older states kept it only in the key ring).
    const keyId = shred.destroyedKeyId ?? (await this.keyRings.load(tenantId)).state.keyId;
    if (!keyId) return;
    const listed = new Map((await this.vault.listVersions(keyId)).map((v) => [v.versionId, v]));
    const destroyed = shred.destroyedKeyVersions.map((v) => ({ keyVersionId: v.keyVersionId, vault: listed.get(v.keyVersionId) }));
    const log = { tenantId, shredId, keyId };
    const usable = destroyed.filter((v) => v.vault && v.vault.state !== 'destroyed').map((v) => v.keyVersionId);
    if (usable.length > 0) {
      this.logger.error({ ...log, keyVersions: usable }, 'ALERT: key versions destroyed by the shred are usable in the vault again (recovered outside Lethe)');
    }
    const purged = destroyed.flatMap((v) => (v.vault?.purgedAt ? [{ keyVersionId: v.keyVersionId, purgedAt: v.vault.purgedAt.toISOString() }] : []));
    const { appended } = await this.tenants.execute(tenantId, { type: 'RecordKeyMaterialPurged', data: { shredId, versions: purged } }, `${deadline.id}:${purged.length}`, {
      loaded,
    });
    if (appended.length > 0) {
      this.logger.info({ ...log, versions: purged.length }, 'destroyed key material purged from the vault');
      return;
    }
    if (action.overdue) {
      this.logger.error({ ...log, expectedAt: action.expectedAt }, 'ALERT: the vault has not purged the destroyed key material it was expected to purge');
    } else {
      this.logger.info({ ...log, expectedAt: action.expectedAt }, 'destroyed key material not purged yet; will check again');
    }
    context.rescheduleAt(new Date(purgeRecheckAt(action.expectedAt ?? shred.keysDestroyedAt!, now)));
  };
}
