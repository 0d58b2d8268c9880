// Opens a tenant's key ring from its onboarding: creates the tenant key in the vault, protects each
// database onboarding asked for with its first version, then records KeyRingOpened. Onboarding runs it
// right after TenantOnboarded is stored, and a durable timer set from that event runs it again, so a
// crash (or a vault outage) between the two appends still ends with a ring (ARCHITECTURE §3).
// A command on the ring of a tenant whose ring is not open yet (onboarding met a vault outage) opens it
// first (loadOpened), so a recorded tenant is usable as soon as the vault answers, whichever comes first.
// Every call it makes is idempotent: the vault returns the tenant's existing key, protecting a database
// again with the same version is a no-op, and the ring's events derive their ids from the tenant.
import { DomainError, type KeyRingState, type TenantState } from '@lethe/domain';
import type { Loaded } from '../aggregate-repository.js';
import type { Deadline } from '@lethe/scheduler';
import { KeyTombstonedError, type KeyVault } from '@lethe/vault';
import type { CrashHook } from '../crash-points.js';
import type { LifecycleDataPlane } from '../lifecycle-ports.js';
import type { KeyTimerPayload } from './key-timers.js';
import type { KeyRingRepository } from './key-ring-repository.js';
import type { TenantRepository } from '../tenants/tenant-repository.js';

export class KeyRingOpener {
  constructor(
    private readonly tenants: TenantRepository,
    private readonly keyRings: KeyRingRepository,
    private readonly vault: Pick<KeyVault, 'createKey'>,
    private readonly dataPlane: Pick<LifecycleDataPlane, 'protectDatabase'>,
    private readonly crash: CrashHook,
  ) {}

  /** The durable timer's handler (set when TenantOnboarded is stored): throws to be retried with backoff. */
  readonly handle = async (deadline: Deadline): Promise<void> => {
    await this.open((deadline.payload as KeyTimerPayload).tenantId);
  };

  /**
   * The tenant's key ring for a command on it, opened first if the tenant is recorded but its ring is
   * not open yet. DomainError 'tenant-not-found' when there is no such tenant (or nothing to open);
   * whatever the vault throws (KeyVaultUnavailableError in an outage: nothing was stored, retry later).
   */
  async loadOpened(tenantId: string): Promise<Loaded<KeyRingState>> {
    const loaded = await this.keyRings.load(tenantId);
    if (loaded.state.exists) return loaded;
    if (!(await this.open(tenantId))) throw new DomainError('tenant-not-found', 'tenant not found');
    return this.keyRings.load(tenantId);
  }

  /**
   * The tenant's key ring, opened if it was not yet. Null when there is nothing to open: no such
   * tenant, or the tenant was shredded first (its key is tombstoned and may never come back).
   * Throws what the vault or data plane throw; a later call resumes.
   */
  async open(tenantId: string, known?: TenantState): Promise<KeyRingState | null> {
    const tenant = known ?? (await this.tenants.load(tenantId)).state;
    const profile = tenant.profile;
    if (!tenant.exists || !profile) return null;
    const loaded = await this.keyRings.load(tenantId);
    if (loaded.state.exists) return loaded.state;
    if (tenant.shredded) return null;
    let key;
    try {
      key = await this.vault.createKey(tenantId);
    } catch (error) {
      if (error instanceof KeyTombstonedError) return null;
      throw error;
    }
    this.crash('onboard:key-created');
    for (const db of profile.databases) await this.dataPlane.protectDatabase(tenantId, db.databaseId, key.versionId);
    try {
      const { state } = await this.keyRings.execute(
        tenantId,
        {
          type: 'OpenKeyRing',
          data: {
            tenantId,
            keyId: key.keyId,
            keyCustody: profile.keyCustody,
            rotationPeriodDays: profile.rotationPeriodDays,
            pitrRetentionDays: profile.pitrRetentionDays,
            version: { keyVersionId: key.versionId, createdAt: key.createdAt.toISOString() },
            databases: profile.databases.map((d) => d.databaseId),
          },
        },
        `open-key-ring:${tenantId}`,
        { loaded },
      );
      return state;
    } catch (error) {
      // Opened meanwhile by the other path (the request or the timer): that ring is the answer.
      if (error instanceof DomainError && error.code === 'key-ring-exists') return (await this.keyRings.load(tenantId)).state;
      throw error;
    }
  }
}
