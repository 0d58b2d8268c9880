// The shred saga's inbox: a processor over the global log. It turns a stored ContractTerminated
// (whoever appended it) into a ScheduleShred decision (scheduleShredForTermination, as HTTP does), and a ShredScheduled into two durable
// timers: one at executeAt that runs the steps, one at the deadline that checks the promise.
// Timers are written in the processor's transaction, so each is created exactly once.
// A contract-stream event is checked with the same schema as the HTTP body; one that breaks it (or
// names no tenant) is recorded as ContractEventRejected and never schedules anything.
import type pg from 'pg';
import type { Clock } from '@lethe/clock';
import {
  CONTRACT_STREAM_PREFIX,
  contractEventMetadataSchema,
  contractTerminatedSchema,
  DomainError,
  validate,
  type ContractEventRejected,
  type FieldError,
  type ShredCancelled,
  type ShredScheduled,
} from '@lethe/domain';
import type { EventStore, JsonValue, RecordedEvent } from '@lethe/eventstore';
import type { Processor } from '@lethe/processors';
import type { PostgresDeadlineStore } from '@lethe/scheduler';
import { causedEventId } from '../event-ids.js';
import type { TenantRepository } from '../tenants/tenant-repository.js';
import { scheduleShredForTermination } from '../tenants/termination-shred.js';
import { SHRED_DEADLINE, SHRED_STEP, shredDeadlineId, shredStepId, type ShredTimerPayload } from './shred-deadlines.js';

const TENANT_PREFIX = 'tenant-';
/** Contract-stream event types Lethe writes itself: not notices to check. */
const OWN_CONTRACT_EVENTS = new Set(['ContractEventRejected']);

export class ShredSaga implements Processor {
  readonly name = 'saga:shred';

  constructor(
    private readonly tenants: TenantRepository,
    private readonly deadlines: PostgresDeadlineStore,
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async handle(event: RecordedEvent, tx: pg.PoolClient): Promise<void> {
    if (event.streamId.startsWith(CONTRACT_STREAM_PREFIX)) {
      if (!OWN_CONTRACT_EVENTS.has(event.type)) await this.onContractEvent(event.streamId.slice(CONTRACT_STREAM_PREFIX.length), event);
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

  private async onContractEvent(tenantId: string, event: RecordedEvent): Promise<void> {
    if (event.type !== 'ContractTerminated') {
      return this.reject(event, [{ field: 'type', rule: 'must be ContractTerminated' }]);
    }
    const data = validate(contractTerminatedSchema, event.data, '', '(data)');
    const metadata = validate(contractEventMetadataSchema, event.metadata, 'metadata', 'metadata');
    const errors = [...(data.ok ? [] : data.errors), ...(metadata.ok ? [] : metadata.errors)];
    if (!data.ok || !metadata.ok) return this.reject(event, errors);
    // Received when the contract system said so (HTTP stamps it), else when we first saw it.
    const receivedAt = metadata.value.receivedAt ? new Date(metadata.value.receivedAt).toISOString() : this.clock.now().toISOString();
    try {
      await scheduleShredForTermination(this.tenants, { tenantId, notice: data.value, receivedAt, contractRevision: Number(event.revision), causeId: `saga:${event.id}` });
    } catch (error) {
      if (error instanceof DomainError && error.code === 'tenant-not-found') {
        return this.reject(event, [{ field: 'streamId', rule: `must name an onboarded tenant (${CONTRACT_STREAM_PREFIX}<tenantId>)` }]);
      }
      throw error;
    }
  }

  /** Records the refusal beside the event; its id derives from the event's, so a retry appends nothing. */
  private async reject(event: RecordedEvent, errors: readonly FieldError[]): Promise<void> {
    const data: ContractEventRejected['data'] = {
      eventId: event.id,
      eventType: event.type,
      revision: Number(event.revision),
      errors,
      at: this.clock.now().toISOString(),
    };
    await this.store.append(
      event.streamId,
      [
        {
          id: causedEventId(event.streamId, `rejected:${event.id}`, 0),
          type: 'ContractEventRejected',
          data: data as unknown as JsonValue,
          metadata: { schemaVersion: 1, causationId: event.id },
        },
      ],
      'any',
    );
  }
}
