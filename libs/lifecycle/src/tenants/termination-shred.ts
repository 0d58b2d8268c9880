// The one path from a validated ContractTerminated to the tenant's ScheduleShred decision, whoever
// delivered it: the HTTP route (after storing it in the contract stream) and the shred saga (following
// that stream) both decide through here.
import type { ShredTrigger, TenantState } from '@lethe/domain';
import type { Loaded } from '../aggregate-repository.js';
import type { TenantRepository } from './tenant-repository.js';

/** A ContractTerminated's data, already checked by contractTerminatedSchema. */
export interface TerminationNotice {
  readonly terminationId: string;
  readonly contractId: string;
  /** ISO 8601 instant the contract ends. */
  readonly effectiveAt: string;
  readonly reason?: string;
}

export interface StoredTermination {
  readonly tenantId: string;
  readonly notice: TerminationNotice;
  /** ISO 8601 instant the notice was received. */
  readonly receivedAt: string;
  /** Its revision in `contract-<tenantId>`: a cancel that recorded a later revision withdraws it (P4). */
  readonly contractRevision: number;
  /** The cause its events' ids derive from (a retry appends nothing). */
  readonly causeId: string;
}

export function terminationTrigger(notice: TerminationNotice): ShredTrigger {
  return { kind: 'termination', terminationId: notice.terminationId, contractId: notice.contractId, ...(notice.reason ? { reason: notice.reason } : {}) };
}

/**
 * Decides ScheduleShred for a stored termination and appends the outcome (a shred scheduled, a trigger
 * joined or withdrawn). `loaded`: the tenant state the caller already read. Throws DomainError
 * 'tenant-not-found' for a stream naming no onboarded tenant, ConcurrentModificationError.
 */
export async function scheduleShredForTermination(tenants: TenantRepository, t: StoredTermination, loaded?: Loaded<TenantState>): Promise<TenantState> {
  const { state } = await tenants.execute(
    t.tenantId,
    {
      type: 'ScheduleShred',
      data: { trigger: terminationTrigger(t.notice), effectiveAt: t.notice.effectiveAt, receivedAt: t.receivedAt, contractRevision: t.contractRevision },
    },
    t.causeId,
    loaded ? { loaded } : {},
  );
  return state;
}
