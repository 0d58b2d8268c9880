// What the API asks of tenants: onboard, report a termination or a deletion request, cancel a
// pending shred. Each call decides through the tenant aggregate and answers from its state.
import type { Clock } from '@lethe/clock';
import { contractStream, DomainError, type TenantProfile, type TenantState } from '@lethe/domain';
import type { EventStore } from '@lethe/eventstore';
import { KeyTombstonedError, type KeyVault } from '@lethe/vault';
import { causedEventId } from '../event-ids.js';
import type { TenantRepository } from './tenant-repository.js';
import type { KeyRingRepository } from '../keys/key-ring-repository.js';

export type OnboardInput = TenantProfile & { readonly rotationPeriodDays: number; readonly pitrRetentionDays: number };

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

export interface ProtectingDataPlane {
  protectDatabase(tenantId: string, databaseId: string, keyVersionId: string): Promise<void>;
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
    private readonly keyRings: KeyRingRepository,
    private readonly store: EventStore,
    private readonly vault: Pick<KeyVault, 'createKey'>,
    private readonly dataPlane: ProtectingDataPlane,
    private readonly clock: Clock,
  ) {}

  async onboard(input: OnboardInput): Promise<TenantState> {
    const { state } = await this.tenants.load(input.tenantId);
    if (state.shredded) throw new DomainError('tenant-shredded', 'this tenant was shredded and can never be provisioned again');
    if (state.exists) throw new DomainError('tenant-exists', 'tenant already exists');
    let key;
    try {
      // Idempotent in the vault: a retried onboarding finds the key it created.
      key = await this.vault.createKey(input.tenantId);
    } catch (error) {
      if (error instanceof KeyTombstonedError) throw new DomainError('tenant-shredded', 'this tenant was shredded and can never be provisioned again');
      throw error;
    }
    for (const db of input.databases) await this.dataPlane.protectDatabase(input.tenantId, db.databaseId, key.versionId);
    const { rotationPeriodDays, pitrRetentionDays, ...profile } = input;
    const { state: after } = await this.tenants.execute(
      input.tenantId,
      { type: 'OnboardTenant', data: { ...profile, key: { keyId: key.keyId, keyVersionId: key.versionId } } },
      `onboard:${input.tenantId}`,
    );
    // The key ring: versions, where each database stands, backups and retention (P1–P3).
    await this.keyRings.execute(
      input.tenantId,
      {
        type: 'OpenKeyRing',
        data: {
          tenantId: input.tenantId,
          keyId: key.keyId,
          keyCustody: input.keyCustody,
          rotationPeriodDays,
          pitrRetentionDays,
          version: { keyVersionId: key.versionId, createdAt: key.createdAt.toISOString() },
          databases: input.databases.map((d) => d.databaseId),
        },
      },
      `onboard:${input.tenantId}`,
    );
    return after;
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

  async cancelShred(tenantId: string, reason: string, requestId: string): Promise<TenantState> {
    const { state } = await this.tenants.execute(tenantId, { type: 'CancelShred', data: { reason } }, `cancel:${requestId}`);
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
