// Records a privileged call's use of its grant, or its refusal. A call naming no grant, or one that
// does not exist, is recorded in the tenant's `privileged-refusals-<tenantId>` stream. Nothing is
// recorded for a tenant that does not exist (tenant-not-found): a caller's typo must not create a
// stream for a tenant Lethe never had.
import { randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '@lethe/clock';
import { DomainError, privilegedRefusalsCategory, schemaVersionOf, type BreakGlassUseRefused, type UseRefusal } from '@lethe/domain';
import { EVENT_STORE, type EventStore, type JsonValue } from '@lethe/eventstore';
import { subjectMetadata } from '../../audit/acting-subject.js';
import { causedEventId } from '../../event-ids.js';
import { TenantRepository } from '../../tenants/tenant-repository.js';
import { BreakGlassRepository } from '../break-glass-repository.js';
import { isGrantId } from '../grant-of.js';
import { UseGrantCommand, type GrantUse } from './use-grant.command.js';

@CommandHandler(UseGrantCommand)
export class UseGrantHandler implements ICommandHandler<UseGrantCommand> {
  constructor(
    @Inject(BreakGlassRepository) private readonly grants: BreakGlassRepository,
    @Inject(TenantRepository) private readonly tenants: TenantRepository,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The use or the refusal, recorded; DomainError 'tenant-not-found' (nothing recorded) for an unknown tenant. */
  async execute({ grantId, by, operation, tenantId }: UseGrantCommand): Promise<GrantUse> {
    if (!(await this.tenants.load(tenantId)).state.exists) throw new DomainError('tenant-not-found', 'tenant not found');
    const causeId = `break-glass-use:${randomUUID()}`;
    if (grantId === null || !isGrantId(grantId) || !(await this.grants.load(grantId)).state.exists) {
      const reason: UseRefusal = grantId === null ? 'no-grant' : 'unknown-grant';
      await this.recordUnnamed({ grantId: null, by, operation, tenantId, reason, at: this.clock.now().toISOString() }, causeId);
      return { allowed: false, grantId: null, reason };
    }
    const { appended } = await this.grants.execute(grantId, { type: 'UseBreakGlass', data: { by, operation, tenantId } }, causeId);
    const decided = appended[0];
    if (decided?.type === 'BreakGlassUsed') return { allowed: true, grantId };
    return { allowed: false, grantId, reason: decided?.type === 'BreakGlassUseRefused' ? decided.data.reason : 'not-approved' };
  }

  private async recordUnnamed(data: BreakGlassUseRefused['data'], causeId: string): Promise<void> {
    const stream = privilegedRefusalsCategory.stream(data.tenantId);
    const type = 'BreakGlassUseRefused';
    await this.store.append(
      stream,
      [{ id: causedEventId(stream, causeId, 0), type, data: data as unknown as JsonValue, metadata: { schemaVersion: schemaVersionOf(type), causationId: causeId, occurredAt: data.at, ...subjectMetadata() } }],
      'any',
    );
  }
}
