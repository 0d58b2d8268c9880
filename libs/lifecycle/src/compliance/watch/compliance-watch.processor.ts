// The compliance watch's inbox: on each key-ring event that can change what complianceOf finds, the
// tenant is judged again now (its violations opened and closed on `compliance-<tenantId>`) and its one
// timer is moved to the next instant the time alone may change the answer (cancelled when there is
// none: a shredded ring). Events of one tenant handed over together are judged once, after the last:
// the ring is loaded as it is now either way, so one judgement leaves what one per event would.
// The timer is written in the processor's transaction; the judgement's events derive their ids from
// the event that caused it, so a replay appends nothing.
import type pg from 'pg';
import { keyRingCategory } from '@lethe/domain';
import { on, type Delivered, type Processor } from '@lethe/processors';
import type { PostgresDeadlineStore } from '@lethe/scheduler';
import type { ComplianceJudge } from './compliance-judge.js';
import { COMPLIANCE_CHECK, complianceCheckTimerId, type ComplianceTimerPayload } from './compliance-timers.js';

/**
 * The key-ring events after which complianceOf may answer otherwise: versions and their ages (P1),
 * where databases stand (P2), what keeps a version needed and which backups cannot be restored (P3),
 * and the shred (nothing applies any more). Not the notices (overdue, rotation due) nor staging assets.
 */
export const JUDGED_KEY_RING_EVENTS = [
  'KeyRingOpened',
  'KeyVersionAdded',
  'DatabaseReprotected',
  'DatabaseAdded',
  'RotationPeriodChanged',
  'BackupPolicyChanged',
  'BackupRecorded',
  'BackupRetentionChanged',
  'BackupDeleted',
  'KeyVersionRetired',
  'KeyRingDestroyed',
] as const;

const INTERESTS = [on(keyRingCategory, JUDGED_KEY_RING_EVENTS)] as const;

export class ComplianceWatchProcessor implements Processor<typeof INTERESTS> {
  readonly name = 'saga:compliance';
  readonly interests = INTERESTS;

  constructor(
    private readonly judge: Pick<ComplianceJudge, 'judge'>,
    private readonly deadlines: PostgresDeadlineStore,
  ) {}

  async handle(event: Delivered<typeof INTERESTS>, tx: pg.PoolClient): Promise<void> {
    await this.handleBatch([event], tx);
  }

  async handleBatch(events: readonly Delivered<typeof INTERESTS>[], tx: pg.PoolClient): Promise<void> {
    // Each tenant once, after its last event of the run (the cause of its judgement).
    const lastOf = new Map<string, { id: string; revision: bigint }>();
    for (const e of events) lastOf.set(e.categoryId, e);
    // The batch's tenants' timers are re-armed in one statement.
    const rearmed: { id: string; dueAt: Date; payload: ComplianceTimerPayload }[] = [];
    for (const [tenantId, last] of lastOf) {
      // The ring as of its last event here or later: later events reach this processor too.
      const judged = await this.judge.judge(tenantId, `saga:${last.id}`, undefined, last.revision);
      if (!judged) continue;
      const timerId = complianceCheckTimerId(tenantId);
      if (judged.nextCheckAt === null) await this.deadlines.cancelInTx(tx, timerId);
      else rearmed.push({ id: timerId, dueAt: judged.nextCheckAt, payload: { tenantId } });
    }
    await this.deadlines.rearmAllInTx(tx, COMPLIANCE_CHECK, rearmed);
  }
}
