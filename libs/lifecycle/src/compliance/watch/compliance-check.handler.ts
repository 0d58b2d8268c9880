// The compliance watch's timer: at an instant the time alone may change what complianceOf finds, the
// tenant is judged again, and the timer moves to the next such instant (none: it ends, and the next
// key-ring event re-arms it).
import type { Logger } from 'pino';
import type { Clock } from '@lethe/clock';
import { complianceOf } from '@lethe/domain';
import type { Deadline, DeadlineFireContext, PostgresDeadlineStore } from '@lethe/scheduler';
import { rotationTimerId } from '../../keys/key-timers.js';
import type { ComplianceJudge } from './compliance-judge.js';
import type { ComplianceTimerPayload } from './compliance-timers.js';

/**
 * How long (ms) a check that would find P1 broken waits while the ring's own rotation timer is due and
 * not yet tried: a managed key is rotated at the very instant P1 would break, and the two timers fall
 * due together, so the rotation goes first. A rotation that fails (a vault outage) is retried later
 * (next_attempt_at), and the check then finds P1 broken, as it is.
 */
export const ROTATION_FIRST_MS = 1000;

export class ComplianceCheckHandler {
  constructor(
    private readonly judge: Pick<ComplianceJudge, 'judge' | 'factsOf'>,
    private readonly deadlines: Pick<PostgresDeadlineStore, 'get'>,
    private readonly clock: Clock,
    private readonly logger: Pick<Logger, 'warn'>,
  ) {}

  readonly handle = async (deadline: Deadline, context: DeadlineFireContext): Promise<void> => {
    const { tenantId } = deadline.payload as ComplianceTimerPayload;
    const now = this.clock.now();
    // Read before the ring: a rotation that is no longer due has recorded its version (appended before
    // its timer moved on), so the ring loaded next holds it.
    const rotationDue = await this.rotationDue(tenantId, now);
    const facts = await this.judge.factsOf(tenantId);
    if (!facts) return;
    if (rotationDue && facts.keyCustody === 'managed' && complianceOf(facts, now).P1.length > 0) {
      return context.rescheduleAt(new Date(now.getTime() + ROTATION_FIRST_MS));
    }
    // The cause names the instant the timer was due: a re-fire of the same check appends nothing.
    const judged = await this.judge.judge(tenantId, `${deadline.id}@${deadline.dueAt.toISOString()}`, facts);
    if (judged && judged.changed > 0) this.logger.warn({ tenantId, changed: judged.changed }, 'compliance violations opened or closed');
    if (judged?.nextCheckAt) context.rescheduleAt(judged.nextCheckAt);
  };

  /** Whether the ring's rotation timer is pending and due now, not yet tried (or due for its retry). */
  private async rotationDue(tenantId: string, now: Date): Promise<boolean> {
    const rotation = await this.deadlines.get(rotationTimerId(tenantId));
    if (!rotation || rotation.status !== 'pending') return false;
    return (rotation.nextAttemptAt ?? rotation.dueAt).getTime() <= now.getTime();
  }
}
