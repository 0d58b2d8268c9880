// The shred saga's inbox: a processor over the global log. It turns a stored ContractTerminated
// (whoever appended it) into a ScheduleShred decision, and a ShredScheduled into two durable
// timers: one at executeAt that runs the steps, one at the deadline that checks the promise.
// Timers are written in the processor's transaction, so each is created exactly once.
import type pg from 'pg';
import type { Clock } from '@lethe/clock';
import { CONTRACT_STREAM_PREFIX, type ContractTerminated, type ShredCancelled, type ShredScheduled } from '@lethe/domain';
import type { RecordedEvent } from '@lethe/eventstore';
import type { Processor } from '@lethe/processors';
import type { PostgresDeadlineStore } from '@lethe/scheduler';
import type { TenantRepository } from '../tenants/tenant-repository.js';
import { SHRED_DEADLINE, SHRED_STEP, shredDeadlineId, shredStepId, type ShredTimerPayload } from './shred-deadlines.js';

const TENANT_PREFIX = 'tenant-';

export class ShredSaga implements Processor {
  readonly name = 'saga:shred';

  constructor(
    private readonly tenants: TenantRepository,
    private readonly deadlines: PostgresDeadlineStore,
    private readonly clock: Clock,
  ) {}

  async handle(event: RecordedEvent, tx: pg.PoolClient): Promise<void> {
    if (event.type === 'ContractTerminated' && event.streamId.startsWith(CONTRACT_STREAM_PREFIX)) {
      await this.onTerminated(event.streamId.slice(CONTRACT_STREAM_PREFIX.length), event);
    } else if (event.type === 'ShredScheduled' && event.streamId.startsWith(TENANT_PREFIX)) {
      const tenantId = event.streamId.slice(TENANT_PREFIX.length);
      const d = (event as unknown as ShredScheduled).data;
      const payload: ShredTimerPayload = { tenantId, shredId: d.shredId };
      await this.deadlines.scheduleInTx(tx, shredStepId(tenantId, d.shredId), new Date(d.executeAt), SHRED_STEP, payload);
      await this.deadlines.scheduleInTx(tx, shredDeadlineId(tenantId, d.shredId), new Date(d.deadline), SHRED_DEADLINE, payload);
    } else if (event.type === 'ShredCancelled' && event.streamId.startsWith(TENANT_PREFIX)) {
      const tenantId = event.streamId.slice(TENANT_PREFIX.length);
      const d = (event as unknown as ShredCancelled).data;
      await this.deadlines.cancelInTx(tx, shredStepId(tenantId, d.shredId));
      await this.deadlines.cancelInTx(tx, shredDeadlineId(tenantId, d.shredId));
    }
  }

  private async onTerminated(tenantId: string, event: RecordedEvent): Promise<void> {
    const d = (event as unknown as ContractTerminated).data;
    // Received when the contract system said so (HTTP stamps it), else when we first saw it.
    const receivedAt = typeof event.metadata.receivedAt === 'string' ? event.metadata.receivedAt : this.clock.now().toISOString();
    await this.tenants.execute(
      tenantId,
      {
        type: 'ScheduleShred',
        data: {
          trigger: { kind: 'termination', terminationId: d.terminationId, contractId: d.contractId, ...(d.reason ? { reason: d.reason } : {}) },
          effectiveAt: d.effectiveAt,
          receivedAt,
        },
      },
      `saga:${event.id}`,
    );
  }
}
