// The key lifecycle's inbox: keeps the durable timers in step with the key ring. Opening the ring
// after onboarding, rotation at the newest version's age limit, re-protection of every database when
// a version appears (and the 24-hour overdue check), one retirement timer per superseded version at
// its retainUntil (a version enabled again under break-glass gets one at its window end), and the ring's vault detection timer from its opening to its destruction. A retired
// version's overdue check is cancelled (settled-timers.ts), and its destruction timer set at the end of its grace.
// Timers are written in the processor's transaction; handlers re-check the live state when they fire.
import type pg from 'pg';
import type { Clock } from '@lethe/clock';
import { findVersion, keyRingCategory, reprotectDueBy, retentionTimers, rotationDueAt, tenantCategory, versionsExtendedBy, type KeyRingState } from '@lethe/domain';
import { on, type Delivered, type Processor } from '@lethe/processors';
import type { PostgresDeadlineStore } from '@lethe/scheduler';
import { timersSettledBy } from '../schedule/settled-timers.js';
import type { KeyDetection } from './key-detection.js';
import type { KeyRingRepository } from './key-ring-repository.js';
import {
  destroyTimerId,
  KEY_DESTROY,
  KEY_REPROTECT,
  KEY_REPROTECT_OVERDUE,
  KEY_RETIRE,
  KEY_RING_OPEN,
  KEY_ROTATION,
  keyRingOpenTimerId,
  overdueTimerId,
  reprotectTimerId,
  reRetireTimerId,
  retireTimerId,
  rotationTimerId,
} from './key-timers.js';

const RETENTION_EVENTS = [
  'KeyVersionAdded',
  'DatabaseReprotected',
  'DatabaseAdded',
  'BackupRecorded',
  'BackupRetentionChanged',
  'BackupDeleted',
  'BackupPolicyChanged',
  // Break-glass `key-version.enable`: the version is retired again at the grant's window end.
  'KeyVersionEnabled',
] as const;
const ROTATION_EVENTS = ['KeyRingOpened', 'KeyVersionAdded', 'RotationPeriodChanged'] as const;
const INTERESTS = [on(tenantCategory, ['TenantOnboarded', 'KeyDestroyed']), on(keyRingCategory, [...ROTATION_EVENTS, ...RETENTION_EVENTS, 'KeyVersionRetired'])] as const;
const isIn = (types: readonly string[], type: string) => types.includes(type);

export class KeyRingSaga implements Processor<typeof INTERESTS> {
  readonly name = 'saga:keys';
  readonly interests = INTERESTS;

  constructor(
    private readonly keys: KeyRingRepository,
    private readonly deadlines: PostgresDeadlineStore,
    private readonly detection: Pick<KeyDetection, 'ensureFor' | 'cancelFor'>,
    private readonly clock: Clock,
    /** Test-only (LETHE_SABOTAGE=early-retirement): retirement timers set this much (ms) before retainUntil. */
    private readonly retirementLeadMs = 0,
  ) {}

  handle(event: Delivered<typeof INTERESTS>, tx: pg.PoolClient): Promise<void> {
    return this.handleBatch([event], tx);
  }

  /**
   * The events the log handed over together, in one transaction. Rotation and retirement timers are
   * derived from the ring's latest state, not from the event, so a ring that several of the events
   * concern (a day's backups, a rotation and its re-protections) has them derived once, after the rest.
   */
  async handleBatch(events: readonly Delivered<typeof INTERESTS>[], tx: pg.PoolClient): Promise<void> {
    const rotation = new Set<string>();
    /** Per ring, the versions whose retirement timers the events may move; 'all' after any other retention event. */
    const retention = new Map<string, Set<string> | 'all'>();
    /** Per ring, the revision of its last event here: the ring is derived as of it or later. */
    const ringRevision = new Map<string, bigint>();
    for (const event of events) {
      await this.handleOne(event, tx);
      const tenantId = event.categoryId;
      if (event.category === keyRingCategory.name) ringRevision.set(tenantId, event.revision);
      if (isIn(ROTATION_EVENTS, event.type)) rotation.add(tenantId);
      if (event.type === 'BackupRecorded') {
        // The day's backups, nearly always on the newest version (which has no timer): the ring's
        // other timers stand, and deriving them would cost a pass over its backups per version.
        const versions = retention.get(tenantId) ?? new Set<string>();
        if (versions !== 'all') for (const id of versionsExtendedBy(event.data)) versions.add(id);
        retention.set(tenantId, versions);
      } else if (isIn(RETENTION_EVENTS, event.type)) {
        retention.set(tenantId, 'all');
      }
    }
    for (const tenantId of new Set([...rotation, ...retention.keys()])) {
      const versions = retention.get(tenantId);
      if (!rotation.has(tenantId) && versions !== 'all' && versions?.size === 0) continue;
      const atLeast = ringRevision.get(tenantId);
      const { state } = atLeast === undefined ? await this.keys.load(tenantId) : await this.keys.loadAtLeast(tenantId, atLeast);
      if (!state.exists || state.destroyed) continue;
      if (rotation.has(tenantId)) {
        await this.deadlines.scheduleInTx(tx, rotationTimerId(tenantId), new Date(rotationDueAt(state)), KEY_ROTATION, { tenantId });
      }
      if (versions !== undefined) await this.scheduleRetirements(tenantId, state, tx, versions === 'all' ? undefined : versions);
    }
  }

  /** What one event asks of the timers besides rotation and retirement (handleBatch derives those). */
  private async handleOne(event: Delivered<typeof INTERESTS>, tx: pg.PoolClient): Promise<void> {
    const tenantId = event.categoryId;
    if (event.type === 'TenantOnboarded') {
      // Onboarding opens the ring itself; this timer finishes the job if it was cut short (a crash,
      // a vault outage), and finds the ring open otherwise.
      await this.deadlines.scheduleInTx(tx, keyRingOpenTimerId(tenantId), this.clock.now(), KEY_RING_OPEN, { tenantId });
      return;
    }
    if (event.type === 'KeyDestroyed') {
      await this.onShredded(tenantId, event.id, tx);
      return;
    }
    if (event.type === 'KeyVersionRetired') {
      // A retired version is never used again: its overdue check is moot (settled-timers.ts).
      for (const id of timersSettledBy(tenantId, event)) await this.deadlines.cancelInTx(tx, id);
      // Its grace as a disabled version ends at destroyAt (absent: recorded before the grace existed,
      // destroyed at retirement then).
      const { keyVersionId, destroyAt } = event.data;
      if (destroyAt !== undefined) await this.deadlines.rearmInTx(tx, destroyTimerId(tenantId, keyVersionId), new Date(destroyAt), KEY_DESTROY, { tenantId, keyVersionId });
      return;
    }
    if (event.type === 'KeyVersionEnabled') {
      // Back in use under break-glass: its grace is over before it ran out; a new retirement starts another.
      await this.deadlines.cancelInTx(tx, destroyTimerId(tenantId, event.data.keyVersionId));
    }
    if (event.type !== 'KeyRingOpened' && event.type !== 'KeyVersionAdded') return;
    const { state } = await this.keys.loadAtLeast(tenantId, event.revision);
    if (!state.exists || state.destroyed) return;
    if (event.type === 'KeyRingOpened') await this.detection.ensureFor(tenantId, tx);
    if (event.type === 'KeyVersionAdded') {
      const { keyVersionId, createdAt } = event.data;
      const payload = { tenantId, keyVersionId };
      await this.deadlines.scheduleInTx(tx, reprotectTimerId(tenantId, keyVersionId), this.clock.now(), KEY_REPROTECT, payload);
      await this.deadlines.scheduleInTx(tx, overdueTimerId(tenantId, keyVersionId), new Date(reprotectDueBy(createdAt)), KEY_REPROTECT_OVERDUE, payload);
    }
  }

  /**
   * One timer per superseded version (or per one of `only`), at the moment its last need ends
   * (re-checked when it fires).
   */
  private async scheduleRetirements(tenantId: string, state: KeyRingState, tx: pg.PoolClient, only?: ReadonlySet<string>): Promise<void> {
    for (const { keyVersionId, retainUntil } of retentionTimers(state, only)) {
      const at = new Date(Date.parse(retainUntil) - this.retirementLeadMs);
      const enabledUntil = findVersion(state, keyVersionId)?.enabledUntil ?? null;
      const id = enabledUntil === null ? retireTimerId(tenantId, keyVersionId) : reRetireTimerId(tenantId, keyVersionId, enabledUntil);
      await this.deadlines.scheduleInTx(tx, id, at, KEY_RETIRE, { tenantId, keyVersionId });
    }
  }

  /** A shred overrides retention: the ring is closed and its timers cancelled. */
  private async onShredded(tenantId: string, eventId: string, tx: pg.PoolClient): Promise<void> {
    const { state } = await this.keys.execute(tenantId, { type: 'DestroyKeyRing', data: {} }, `saga:${eventId}`).catch(async (error: unknown) => {
      // A tenant onboarded before key rings existed has none: nothing to close.
      if ((error as { code?: string }).code === 'key-ring-not-found') return { state: (await this.keys.load(tenantId)).state };
      throw error;
    });
    await this.deadlines.cancelInTx(tx, rotationTimerId(tenantId));
    await this.detection.cancelFor(tenantId, tx);
    for (const v of state.versions) {
      await this.deadlines.cancelInTx(tx, retireTimerId(tenantId, v.keyVersionId));
      if (v.enabledUntil !== null) await this.deadlines.cancelInTx(tx, reRetireTimerId(tenantId, v.keyVersionId, v.enabledUntil));
      await this.deadlines.cancelInTx(tx, destroyTimerId(tenantId, v.keyVersionId));
      await this.deadlines.cancelInTx(tx, reprotectTimerId(tenantId, v.keyVersionId));
      await this.deadlines.cancelInTx(tx, overdueTimerId(tenantId, v.keyVersionId));
    }
  }
}
