// What the key lifecycle reads from the tenant aggregate, which owns these facts: how the tenant's
// backups are encrypted (its backupKeyMode) and whether its shred has been executed. Read when a
// decision needs them, never copied into the key ring.
import type { BackupKeyMode } from '@lethe/domain';
import type { TenantRepository } from '../tenants/tenant-repository.js';

export interface TenantFacts {
  /** Null for a key ring without a tenant stream (never happens through onboarding). */
  readonly backupKeyMode: BackupKeyMode | null;
  /** The shred started destroying keys (or is done): nothing new may be attached to the tenant. */
  readonly shredExecuted: boolean;
}

export type TenantFactsOf = (tenantId: string) => Promise<TenantFacts>;

export function tenantFactsFrom(tenants: Pick<TenantRepository, 'load'>): TenantFactsOf {
  return async (tenantId) => {
    const { state } = await tenants.load(tenantId);
    return { backupKeyMode: state.backupKeyMode, shredExecuted: state.shredded || (state.shred?.executedAt ?? null) !== null };
  };
}
