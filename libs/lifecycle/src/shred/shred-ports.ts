// What the shred saga needs from the outside world, narrowed from the vault and data plane ports.
import type { KeyVault } from '@lethe/vault';

export type ShredVault = Pick<KeyVault, 'destroyKey'>;

export interface ShredDataPlane {
  purgeAssets(tenantId: string): Promise<ReadonlyArray<{ readonly kind: string; readonly id: string; readonly purgedAt: Date }>>;
}

export type ProbeOutcome = 'key-destroyed' | 'readable' | 'inconclusive';

export interface ShredProbe {
  probe(tenantId: string, databaseId: string): Promise<{ readonly outcome: ProbeOutcome; readonly detail: string }>;
}
