// What the key lifecycle reads from the tenant aggregate, which owns these facts: how the tenant's
// backups are encrypted (its backupKeyMode) and whether its shred has been executed. Read when a
// decision needs them, never copied into the key ring.
import { DomainError, type BackupKeyMode, type TenantState } from '@lethe/domain';

export interface TenantFacts {
  /** Null for a key ring without a tenant stream (never happens through onboarding). */
  readonly backupKeyMode: BackupKeyMode | null;
  /** The shred started destroying keys (or is done): nothing new may be attached to the tenant. */
  readonly shredExecuted: boolean;
}

export function tenantFactsOf(tenant: TenantState): TenantFacts {
  return { backupKeyMode: tenant.backupKeyMode, shredExecuted: tenant.shredded || (tenant.shred?.executedAt ?? null) !== null };
}

/** DomainError 'tenant-shredded': nothing new may reach the vault or data plane for this tenant. */
export function shredExecutedError(): DomainError {
  return new DomainError('tenant-shredded', 'the tenant was shredded: nothing can be attached to it any more');
}
