// What the shred saga needs from the outside world, narrowed from the vault and data plane ports.
import type { ProbeOutcome } from '@lethe/domain';
import type { KeyVault } from '@lethe/vault';

/**
 * createKey only finds the key of a tenant shredded before its key ring was opened; capabilities
 * tell when a purge the vault did not report is to be expected.
 */
export type ShredVault = Pick<KeyVault, 'destroyKey' | 'createKey' | 'capabilities'>;

/** The purge check asks the vault whether the destroyed versions' material is purged by now. */
export type PurgeCheckVault = Pick<KeyVault, 'listVersions'>;

export interface ShredDataPlane {
  purgeAssets(tenantId: string): Promise<ReadonlyArray<{ readonly kind: string; readonly id: string; readonly purgedAt: Date }>>;
}

export interface ShredProbe {
  probe(tenantId: string, databaseId: string): Promise<{ readonly outcome: ProbeOutcome; readonly detail: string }>;
}
