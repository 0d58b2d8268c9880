// The key lifecycle's inbox: keeps the durable timers in step with the key ring. Opening the ring
// after onboarding, rotation at the
// newest version's age limit, re-protection of every database when a version appears (and the
// 24-hour overdue check), and one retirement timer per superseded version at its retainUntil.
// Timers are written in the processor's transaction; handlers re-check the live state when they fire.
import type pg from 'pg';
import type { Clock } from '@lethe/clock';
import { retentionTimers, rotationDueAt, type KeyRingState } from '@lethe/domain';
import type { RecordedEvent } from '@lethe/eventstore';
import type { Processor } from '@lethe/processors';
import type { PostgresDeadlineStore } from '@lethe/scheduler';
import type { KeyRingRepository } from './key-ring-repository.js';
import {
  KEY_REPROTECT,
  KEY_REPROTECT_OVERDUE,
  KEY_RETIRE,
  KEY_RING_OPEN,
  KEY_ROTATION,
  keyRingOpenTimerId,
  REPROTECT_WITHIN_MS,
  overdueTimerId,
  reprotectTimerId,
  retireTimerId,
  rotationTimerId,
} from './key-timers.js';

const RETENTION_EVENTS = new Set([
  'KeyVersionAdded',
  'DatabaseReprotected',
  'DatabaseAdded',
  'BackupRecorded',
  'BackupRetentionChanged',
  'BackupDeleted',
  'BackupPolicyChanged',
]);
const ROTATION_EVENTS = new Set(['KeyRingOpened', 'KeyVersionAdded', 'RotationPeriodChanged']);

export class KeyRingSaga implements Processor {
  readonly name = 'saga:keys';

  constructor(
    private readonly keys: KeyRingRepository,
    private readonly deadlines: PostgresDeadlineStore,
    private readonly clock: Clock,
  ) {}

  async handle(event: RecordedEvent, tx: pg.PoolClient): Promise<void> {
    if (event.type === 'TenantOnboarded' && event.streamId.startsWith('tenant-')) {
      // Onboarding opens the ring itself; this timer finishes the job if it was cut short (a crash,
      // a vault outage), and finds the ring open otherwise.
      const tenantId = event.streamId.slice('tenant-'.length);
      await this.deadlines.scheduleInTx(tx, keyRingOpenTimerId(tenantId), this.clock.now(), KEY_RING_OPEN, { tenantId });
      return;
    }
    if (event.type === 'KeyDestroyed' && event.streamId.startsWith('tenant-')) {
      await this.onShredded(event.streamId.slice('tenant-'.length), event, tx);
      return;
    }
    if (!event.streamId.startsWith('keys-')) return;
    const tenantId = event.streamId.slice('keys-'.length);
    const { state } = await this.keys.load(tenantId);
    if (!state.exists || state.destroyed) return;
    if (ROTATION_EVENTS.has(event.type)) {
      await this.deadlines.scheduleInTx(tx, rotationTimerId(tenantId), new Date(rotationDueAt(state)), KEY_ROTATION, { tenantId });
    }
    if (event.type === 'KeyVersionAdded') {
      const { keyVersionId, createdAt } = event.data as { keyVersionId: string; createdAt: string };
      const payload = { tenantId, keyVersionId };
      await this.deadlines.scheduleInTx(tx, reprotectTimerId(tenantId, keyVersionId), this.clock.now(), KEY_REPROTECT, payload);
      const dueBy = new Date(new Date(createdAt).getTime() + REPROTECT_WITHIN_MS);
      await this.deadlines.scheduleInTx(tx, overdueTimerId(tenantId, keyVersionId), dueBy, KEY_REPROTECT_OVERDUE, payload);
    }
    if (RETENTION_EVENTS.has(event.type)) await this.scheduleRetirements(tenantId, state, tx);
  }

  /** One timer per superseded version, at the moment its last need ends (re-checked when it fires). */
  private async scheduleRetirements(tenantId: string, state: KeyRingState, tx: pg.PoolClient): Promise<void> {
    for (const { keyVersionId, retainUntil } of retentionTimers(state)) {
      await this.deadlines.scheduleInTx(tx, retireTimerId(tenantId, keyVersionId), new Date(retainUntil), KEY_RETIRE, { tenantId, keyVersionId });
    }
  }

  /** A shred overrides retention: the ring is closed and its timers cancelled. */
  private async onShredded(tenantId: string, event: RecordedEvent, tx: pg.PoolClient): Promise<void> {
    const { state } = await this.keys.execute(tenantId, { type: 'DestroyKeyRing', data: {} }, `saga:${event.id}`).catch(async (error: unknown) => {
      // A tenant onboarded before key rings existed has none: nothing to close.
      if ((error as { code?: string }).code === 'key-ring-not-found') return { state: (await this.keys.load(tenantId)).state };
      throw error;
    });
    await this.deadlines.cancelInTx(tx, rotationTimerId(tenantId));
    for (const v of state.versions) {
      await this.deadlines.cancelInTx(tx, retireTimerId(tenantId, v.keyVersionId));
      await this.deadlines.cancelInTx(tx, reprotectTimerId(tenantId, v.keyVersionId));
      await this.deadlines.cancelInTx(tx, overdueTimerId(tenantId, v.keyVersionId));
    }
  }
}
