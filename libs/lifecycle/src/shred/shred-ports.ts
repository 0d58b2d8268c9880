// What the shred saga needs from the outside world, narrowed from the vault and data plane ports.
import type { KeyVault } from '@lethe/vault';

export type ShredVault = Pick<KeyVault, 'destroyKey'>;

export interface ShredDataPlane {
  /** Every database the data plane protects for the tenant, including ones added after onboarding. */
  databasesOf(tenantId: string): Promise<ReadonlyArray<{ readonly databaseId: string }>>;
  purgeAssets(tenantId: string): Promise<ReadonlyArray<{ readonly kind: string; readonly id: string; readonly purgedAt: Date }>>;
}

export type ProbeOutcome = 'key-destroyed' | 'readable' | 'inconclusive';

export interface ShredProbe {
  probe(tenantId: string, databaseId: string): Promise<{ readonly outcome: ProbeOutcome; readonly detail: string }>;
}
