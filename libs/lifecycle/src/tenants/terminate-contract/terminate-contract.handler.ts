// A termination over HTTP takes the same path as one the contract system appends itself: first it is
// recorded in the contract stream (from then on the shred saga would decide it even if this process
// died), then decided at once (scheduleShredForTermination) so the answer is this request's own.
// Ordered by that stream, a termination recorded before a cancel is withdrawn by it (P4). The saga
// later finds it decided.
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '@lethe/clock';
import { contractStream, DomainError, sameJson, schemaVersionOf } from '@lethe/domain';
import { EVENT_STORE, type EventStore } from '@lethe/eventstore';
import { subjectMetadata } from '../../audit/acting-subject.js';
import { causedEventId } from '../../event-ids.js';
import { CRASH_HOOK } from '../../lifecycle.tokens.js';
import type { CrashHook } from '../../crash-points.js';
import { shredAnswer, type ShredAnswer } from '../shred-answer.js';
import { TenantRepository } from '../tenant-repository.js';
import { scheduleShredForTermination, terminationTrigger, type TerminationNotice } from '../termination-shred.js';
import { TerminateContractCommand } from './terminate-contract.command.js';

@CommandHandler(TerminateContractCommand)
export class TerminateContractHandler implements ICommandHandler<TerminateContractCommand> {
  constructor(
    @Inject(TenantRepository) private readonly tenants: TenantRepository,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CRASH_HOOK) private readonly crash: CrashHook,
  ) {}

  async execute({ tenantId, notice: input, source }: TerminateContractCommand): Promise<ShredAnswer> {
    const loaded = await this.tenants.load(tenantId);
    if (!loaded.state.exists) throw new DomainError('tenant-not-found', 'tenant not found');
    const receivedAt = this.clock.now().toISOString();
    const notice = { terminationId: input.terminationId, contractId: input.contractId, effectiveAt: input.effectiveAt, ...(input.reason ? { reason: input.reason } : {}) };
    const stream = contractStream(tenantId);
    const causeId = `termination:${notice.terminationId}`;
    const recorded = await this.store.append(
      stream,
      [{ id: causedEventId(stream, causeId, 0), type: 'ContractTerminated', data: notice, metadata: { schemaVersion: schemaVersionOf('ContractTerminated'), receivedAt, source, ...subjectMetadata() } }],
      'any',
    );
    if (recorded.replayed) await this.refuseOtherNotice(stream, causedEventId(stream, causeId, 0), notice);
    this.crash('terminate:contract-recorded');
    const state = await scheduleShredForTermination(this.tenants, { tenantId, notice, receivedAt, contractRevision: Number(recorded.nextRevision), causeId }, loaded);
    return shredAnswer(state, terminationTrigger(notice));
  }

  /**
   * A terminationId names one notice: a repeat with the same facts is the same notice (answered as the
   * first), a repeat with other facts is a conflict the contract system must resolve, never silently
   * dropped (409 over HTTP; dead-lettered from the broker).
   */
  private async refuseOtherNotice(stream: string, eventId: string, notice: TerminationNotice): Promise<void> {
    const stored = await this.store.readEvent(eventId, { streams: [stream] });
    if (stored === null || sameJson(stored.data, notice)) return;
    throw new DomainError(
      'termination-conflict',
      `terminationId ${notice.terminationId} was already recorded with another contractId, effectiveAt or reason; a termination notice cannot change (report a new terminationId, or withdraw it by cancelling the shred)`,
    );
  }
}
