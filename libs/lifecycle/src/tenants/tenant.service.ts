// What the API asks of tenants: onboard, report a termination or a deletion request, cancel a
// pending shred. Each call decides through the tenant aggregate and answers from its state.
import { createHash } from 'node:crypto';
import type { Clock } from '@lethe/clock';
import { contractStream, DomainError, type KeyRingState, type TenantProfile, type TenantState } from '@lethe/domain';
import type { EventStore } from '@lethe/eventstore';
import { canonicalJson } from '../certificate/canonical-json.js';
import { causedEventId } from '../event-ids.js';
import type { CrashHook } from '../crash-points.js';
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
  readonly keyRing: KeyRingState | null;
}

/** The answer to a termination or deletion request. */
export interface ShredAnswer {
  readonly outcome: 'scheduled' | 'already-scheduled' | 'already-shredded' | 'withdrawn';
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
    private readonly crash: CrashHook,
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
    this.crash('onboard:tenant-recorded');
    const { state: tenant } = await this.tenants.load(input.tenantId);
    const keyRing = await this.keyRingOpener.open(input.tenantId, tenant);
    return { tenant, keyRing };
  }

  /**
   * A termination over HTTP takes the same path as one the contract system appends itself: first it
   * is recorded in the contract stream (from then on the shred saga would decide it even if this
   * process died), then decided at once so the answer is this request's own. Ordered by that stream,
   * a termination recorded before a cancel is withdrawn by it (P4). The saga later finds it decided.
   */
  async terminate(tenantId: string, input: TerminationInput): Promise<ShredAnswer> {
    const { state: known } = await this.tenants.load(tenantId);
    if (!known.exists) throw new DomainError('tenant-not-found', 'tenant not found');
    const receivedAt = this.clock.now().toISOString();
    const notice = { terminationId: input.terminationId, contractId: input.contractId, effectiveAt: input.effectiveAt, ...(input.reason ? { reason: input.reason } : {}) };
    const stream = contractStream(tenantId);
    const recorded = await this.store.append(
      stream,
      [{ id: causedEventId(stream, `termination:${input.terminationId}`, 0), type: 'ContractTerminated', data: notice, metadata: { schemaVersion: 1, receivedAt, source: 'http' } }],
      'any',
    );
    this.crash('terminate:contract-recorded');
    const { terminationId, contractId, reason } = notice;
    const { state } = await this.tenants.execute(
      tenantId,
      {
        type: 'ScheduleShred',
        data: {
          trigger: { kind: 'termination', terminationId, contractId, ...(reason ? { reason } : {}) },
          effectiveAt: input.effectiveAt,
          receivedAt,
          contractRevision: Number(recorded.nextRevision),
        },
      },
      `termination:${input.terminationId}`,
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
    this.crash('cancel:recorded');
    return state;
  }
}

function answer(state: TenantState, triggerShredId: string): ShredAnswer {
  const s = state.shred!;
  // This trigger's shred (first time or a replay: the same answer), or another one already under way.
  // A trigger recorded before a cancel that was decided first (a race) was withdrawn by it.
  const outcome: ShredAnswer['outcome'] =
    s.shredId === triggerShredId
      ? 'scheduled'
      : s.status === 'cancelled'
        ? 'withdrawn'
        : s.status === 'scheduled' || s.status === 'shredding'
          ? 'already-scheduled'
          : 'already-shredded';
  return {
    outcome,
    shredId: s.shredId,
    deadline: s.deadline,
    executeAt: s.executeAt,
    lateNotification: s.breaches.some((b) => b.cause === 'late-notification'),
  };
}
