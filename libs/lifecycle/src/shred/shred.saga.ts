// The shred saga's inbox: a processor over the global log. It turns a stored ContractTerminated
// (whoever appended it) into a ScheduleShred decision (scheduleShredForTermination, as HTTP does), and a ShredScheduled into two durable
// timers: one at executeAt that runs the steps, one at the deadline that checks the promise. A
// ShredAdvanced (an earlier trigger joined) moves both to the shred's new instants; ShredCancelled
// cancels both, ShredVerified the deadline check (settled-timers.ts). A KeyDestroyed whose vault
// purges later sets the purge check for when the purge is expected.
// Timers are written in the processor's transaction, so each is created exactly once.
// A contract-stream event is checked with the same schema as the HTTP body; one that breaks it (or
// names no tenant) is recorded as ContractEventRejected and never schedules anything.
import type pg from 'pg';
import type { Clock } from '@lethe/clock';
import {
  CONTRACT_STREAM_PREFIX,
  contractCategory,
  contractEventMetadataSchema,
  contractTerminatedSchema,
  DomainError,
  schemaVersionOf,
  tenantCategory,
  validate,
  type ContractEventRejected,
  type FieldError,
} from '@lethe/domain';
import type { EventStore, JsonValue } from '@lethe/eventstore';
import { on, type Delivered, type DeliveredBy, type Processor } from '@lethe/processors';
import type { PostgresDeadlineStore } from '@lethe/scheduler';
import { causedEventId } from '../event-ids.js';
import type { TenantRepository } from '../tenants/tenant-repository.js';
import { scheduleShredForTermination } from '../tenants/termination-shred.js';
import { timersSettledBy } from '../schedule/settled-timers.js';
import { KEY_PURGE_CHECK, SHRED_DEADLINE, SHRED_STEP, keyPurgeCheckId, shredDeadlineId, shredStepId, type ShredTimerPayload } from './shred-deadlines.js';

/** Every contract-stream event, whatever its type: one the contract system should not have sent is rejected. */
const CONTRACT_EVENTS = on(contractCategory, 'any');
const INTERESTS = [on(tenantCategory, ['ShredScheduled', 'ShredAdvanced', 'ShredExecutionForced', 'ShredCancelled', 'ShredVerified', 'KeyDestroyed']), CONTRACT_EVENTS] as const;
type ContractStreamEvent = DeliveredBy<typeof CONTRACT_EVENTS>;

export class ShredSaga implements Processor<typeof INTERESTS> {
  readonly name = 'saga:shred';
  readonly interests = INTERESTS;

  constructor(
    private readonly tenants: TenantRepository,
    private readonly deadlines: PostgresDeadlineStore,
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async handle(event: Delivered<typeof INTERESTS>, tx: pg.PoolClient): Promise<void> {
    if (event.category === 'contract') {
      // Lethe's own rejections are not notices to check.
      if (event.type !== 'ContractEventRejected') await this.onContractEvent(event.categoryId, event);
    } else if (event.type === 'ShredScheduled' || event.type === 'ShredAdvanced') {
      // ShredAdvanced moves both timers earlier (schedule() reschedules a pending row; one already
      // fired stays fired, and its handler re-reads the shred anyway).
      const tenantId = event.categoryId;
      const d = event.data;
      const payload: ShredTimerPayload = { tenantId, shredId: d.shredId };
      await this.deadlines.scheduleInTx(tx, shredStepId(tenantId, d.shredId), new Date(d.executeAt), SHRED_STEP, payload);
      await this.deadlines.scheduleInTx(tx, shredDeadlineId(tenantId, d.shredId), new Date(d.deadline), SHRED_DEADLINE, payload);
    } else if (event.type === 'ShredExecutionForced') {
      // Break-glass `shred.execute-now`: the execution timer moves to now; the deadline stays.
      const tenantId = event.categoryId;
      const payload: ShredTimerPayload = { tenantId, shredId: event.data.shredId };
      await this.deadlines.scheduleInTx(tx, shredStepId(tenantId, event.data.shredId), new Date(event.data.executeAt), SHRED_STEP, payload);
    } else if (event.type === 'ShredVerified') {
      // Verified for good: the deadline check has nothing left to check (settled-timers.ts).
      for (const id of timersSettledBy(event.categoryId, event)) await this.deadlines.cancelInTx(tx, id);
    } else if (event.type === 'KeyDestroyed') {
      const pending = event.data.versions.filter((v) => v.purgedAt === null);
      if (pending.length === 0) return;
      // At the latest expected purge; at once when the vault gave no date (the check then paces itself).
      const expected = pending.some((v) => v.purgeExpectedAt === null) ? event.data.at : pending.map((v) => v.purgeExpectedAt!).sort().at(-1)!;
      const tenantId = event.categoryId;
      const payload: ShredTimerPayload = { tenantId, shredId: event.data.shredId };
      await this.deadlines.scheduleInTx(tx, keyPurgeCheckId(tenantId, event.data.shredId), new Date(expected), KEY_PURGE_CHECK, payload);
    } else {
      const tenantId = event.categoryId;
      await this.deadlines.cancelInTx(tx, shredStepId(tenantId, event.data.shredId));
      await this.deadlines.cancelInTx(tx, shredDeadlineId(tenantId, event.data.shredId));
    }
  }

  private async onContractEvent(tenantId: string, event: ContractStreamEvent): Promise<void> {
    if (event.type !== 'ContractTerminated') {
      return this.reject(event, [{ field: 'type', rule: 'must be ContractTerminated' }]);
    }
    const now = this.clock.now();
    const data = validate(contractTerminatedSchema(now), event.data, '', '(data)');
    const metadata = validate(contractEventMetadataSchema(now), event.metadata, 'metadata', 'metadata');
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
      // A rule about the notice's own fields (e.g. an effective instant the calendar does not cover):
      // refused like a schema error, never retried into a dead letter.
      if (error instanceof DomainError && error.field !== undefined) return this.reject(event, [{ field: error.field, rule: error.message }]);
      throw error;
    }
  }

  /** Records the refusal beside the event; its id derives from the event's, so a retry appends nothing. */
  private async reject(event: ContractStreamEvent, errors: readonly FieldError[]): Promise<void> {
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
          metadata: { schemaVersion: schemaVersionOf('ContractEventRejected'), causationId: event.id },
        },
      ],
      'any',
    );
  }
}
