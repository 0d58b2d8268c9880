// What the API asks of tenants: onboard, report a termination or a deletion request, cancel a
// pending shred. Each call decides through the tenant aggregate and answers from its state.
import { createHash } from 'node:crypto';
import type { Clock } from '@lethe/clock';
import { contractStream, type KeysState, type TenantProfile, type TenantState } from '@lethe/domain';
import type { EventStore } from '@lethe/eventstore';
import { canonicalJson } from '../certificate/canonical-json.js';
import { causedEventId } from '../event-ids.js';
import type { KeyRingOpener } from '../keys/key-ring-opener.js';
import type { TenantRepository } from './tenant-repository.js';

export type OnboardInput = TenantProfile;

export interface TerminationInput {
  readonly terminationId: string;
  readonly contractId: string;
  readonly effectiveAt: string;
  readonly reason?: string;
}

export interface DeletionRequestInput {
  readonly requestId: string;
  readonly requestedAt?: string;
}

/** An onboarded tenant: what was stored, and its key ring (null only while the vault could not be reached). */
export interface Onboarded {
  readonly tenant: TenantState;
  readonly keyRing: KeysState | null;
}

/** The answer to a termination or deletion request. */
export interface ShredAnswer {
  readonly outcome: 'scheduled' | 'already-scheduled' | 'already-shredded';
  readonly shredId: string;
  readonly deadline: string;
  readonly executeAt: string;
  readonly lateNotification: boolean;
}

export class TenantService {
  constructor(
    private readonly tenants: TenantRepository,
    private readonly keyRingOpener: KeyRingOpener,
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Records the tenant, then opens its key ring. Exactly one of several racing requests for a tenant
   * id wins; the others get tenant-exists (409) before anything of theirs reaches the vault or the
   * data plane. The same body again gets the same answer (and completes a ring left unopened).
   */
  async onboard(input: OnboardInput): Promise<Onboarded> {
    // Event ids derive from the body, so a different body can never pass for a replay of the winner's.
    const fingerprint = createHash('sha256').update(canonicalJson(input)).digest('hex').slice(0, 32);
    await this.tenants.execute(input.tenantId, { type: 'OnboardTenant', data: input }, `onboard:${input.tenantId}:${fingerprint}`);
    // Answer with what is stored (a racing duplicate of this body may have written it first).
    const { state: tenant } = await this.tenants.load(input.tenantId);
    const keyRing = await this.keyRingOpener.open(input.tenantId, tenant);
    return { tenant, keyRing };
  }

  // Terminations, deletion requests and cancellations need no existence check of their own: the
  // tenant decider refuses an unknown tenant (tenant-not-found) before anything is written.
  async terminate(tenantId: string, input: TerminationInput): Promise<ShredAnswer> {
    const receivedAt = this.clock.now().toISOString();
    const trigger = {
      kind: 'termination' as const,
      terminationId: input.terminationId,
      contractId: input.contractId,
      ...(input.reason ? { reason: input.reason } : {}),
    };
    // Decide first, so the answer is this request's own; then record what the contract system
    // said in the contract stream. The saga follows that stream too (for terminations appended
    // there directly); for this one it finds the trigger already known and does nothing.
    const { state } = await this.tenants.execute(
      tenantId,
      { type: 'ScheduleShred', data: { trigger, effectiveAt: input.effectiveAt, receivedAt } },
      `termination:${input.terminationId}`,
    );
    const stream = contractStream(tenantId);
    await this.store.append(
      stream,
      [
        {
          id: causedEventId(stream, `termination:${input.terminationId}`, 0),
          type: 'ContractTerminated',
          data: { terminationId: input.terminationId, contractId: input.contractId, effectiveAt: input.effectiveAt, ...(input.reason ? { reason: input.reason } : {}) },
          metadata: { schemaVersion: 1, receivedAt, source: 'http' },
        },
      ],
      'any',
    );
    return answer(state, `termination:${input.terminationId}`);
  }

  async requestDeletion(tenantId: string, input: DeletionRequestInput): Promise<ShredAnswer> {
    const now = this.clock.now().toISOString();
    const { state } = await this.tenants.execute(
      tenantId,
      {
        type: 'ScheduleShred',
        // A request starts its clock when received (ARCHITECTURE §2), whatever requestedAt says.
        data: { trigger: { kind: 'deletion-request', requestId: input.requestId, ...(input.requestedAt ? { requestedAt: input.requestedAt } : {}) }, effectiveAt: now, receivedAt: now },
      },
      `deletion-request:${input.requestId}`,
    );
    return answer(state, `deletion-request:${input.requestId}`);
  }

  /**
   * Cancels the pending shred. It also withdraws every trigger received before it (P4), including
   * terminations already in the contract stream that a processor has not handled yet: the cancel
   * records how far that stream went when it was received.
   */
  async cancelShred(tenantId: string, reason: string, requestId: string): Promise<TenantState> {
    const contract = await this.store.readStream(contractStream(tenantId));
    const contractRevision = contract.length === 0 ? null : Number(contract[contract.length - 1].revision);
    const { state } = await this.tenants.execute(tenantId, { type: 'CancelShred', data: { reason, contractRevision } }, `cancel:${requestId}`);
    return state;
  }
}

function answer(state: TenantState, triggerShredId: string): ShredAnswer {
  const s = state.shred!;
  // This trigger's shred (first time or a replay: the same answer), or another one already under way.
  const outcome: ShredAnswer['outcome'] =
    s.shredId === triggerShredId ? 'scheduled' : s.status === 'scheduled' || s.status === 'shredding' ? 'already-scheduled' : 'already-shredded';
  return {
    outcome,
    shredId: s.shredId,
    deadline: s.deadline,
    executeAt: s.executeAt,
    lateNotification: s.breaches.some((b) => b.cause === 'late-notification'),
  };
}
