// What the key lifecycle's timers do when they fire: each loads the key ring once, asks the pure
// workflow (@lethe/domain key-lifecycle.workflow) what to do, and carries it out, so a timer that
// fires late, twice, or after the world changed does the right thing or nothing.
import type { Logger } from 'pino';
import type { Clock } from '@lethe/clock';
import { destructionDecision, nextRotation, overdueCheck, REPROTECT_RETRY_MS, reprotectionPlan, retirementDecision, rotationDueAt, versionStatus } from '@lethe/domain';
import type { Deadline, DeadlineFireContext } from '@lethe/scheduler';
import type { KeyVault } from '@lethe/vault';
import type { KeyRingRepository } from './key-ring-repository.js';
import type { CrashHook } from '../crash-points.js';
import type { LifecycleDataPlane } from '../lifecycle-ports.js';
import type { KeyTimerPayload } from './key-timers.js';

export class KeyRingHandlers {
  constructor(
    private readonly keys: KeyRingRepository,
    private readonly vault: Pick<KeyVault, 'createVersion' | 'disable' | 'destroy'>,
    private readonly dataPlane: Pick<LifecycleDataPlane, 'reprotectDatabase'>,
    private readonly clock: Clock,
    private readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>,
    private readonly crash: CrashHook,
    /**
     * Test-only (LETHE_SABOTAGE=early-retirement): retirements are decided as if the clock were this
     * much (ms) ahead. 0: the clock as it is.
     */
    private readonly retirementLeadMs = 0,
  ) {}

  /** At the newest version's age limit: a new version (managed), or KeyRotationDue (client-held). */
  readonly rotate = async (deadline: Deadline, context: DeadlineFireContext): Promise<void> => {
    const { tenantId } = deadline.payload as KeyTimerPayload;
    const loaded = await this.keys.load(tenantId);
    const action = nextRotation(loaded.state, this.clock.now());
    switch (action.kind) {
      case 'none':
        return;
      case 'wait':
        return context.rescheduleAt(new Date(action.until));
      case 'create-version': {
        // One request id for the vault and the key ring: a crash between the two is retried by this
        // timer, which adopts the version the vault already made instead of making another.
        const requestId = `${deadline.id}:after:${action.supersedes}`;
        const created = await this.vault.createVersion(loaded.state.keyId!, requestId);
        const { state: after } = await this.keys.execute(
          tenantId,
          { type: 'AddKeyVersion', data: { keyVersionId: created.versionId, source: 'policy', createdAt: created.createdAt.toISOString() } },
          requestId,
          { loaded },
        );
        this.logger.info({ tenantId, keyVersionId: created.versionId }, 'key rotated by policy');
        return context.rescheduleAt(new Date(rotationDueAt(after)));
      }
      case 'raise-due': {
        const raised = await this.keys.execute(tenantId, { type: 'RaiseRotationDue', data: {} }, `${deadline.id}:due:${action.keyVersionId}`, { loaded });
        // Once per version, as the event: the daily re-checks that follow have nothing new to say.
        if (raised.appended.length > 0) this.logger.warn({ tenantId, keyVersionId: action.keyVersionId }, 'client-held key is due for rotation');
        // Keep watching: a version the client creates is detected and moves this timer.
        return context.rescheduleAt(new Date(action.recheckAt));
      }
    }
  };

  /** Moves every database that is behind onto the newest version; retries until they all are. */
  readonly reprotect = async (deadline: Deadline, context: DeadlineFireContext): Promise<void> => {
    const { tenantId } = deadline.payload as KeyTimerPayload;
    let loaded = await this.keys.load(tenantId);
    let failed = 0;
    for (const move of reprotectionPlan(loaded.state)) {
      try {
        await this.dataPlane.reprotectDatabase(tenantId, move.databaseId, move.fromKeyVersionId, move.toKeyVersionId);
        loaded = await this.keys.execute(
          tenantId,
          { type: 'RecordReprotection', data: { databaseId: move.databaseId, fromKeyVersionId: move.fromKeyVersionId, toKeyVersionId: move.toKeyVersionId } },
          `reprotect:${move.databaseId}:${move.fromKeyVersionId}:${move.toKeyVersionId}`,
          { loaded },
        );
      } catch (error) {
        failed++;
        this.logger.warn({ tenantId, databaseId: move.databaseId, keyVersionId: move.toKeyVersionId, error: (error as Error).name }, 'database re-protection failed; will retry');
      }
    }
    if (failed > 0) context.rescheduleAt(new Date(this.clock.now().getTime() + REPROTECT_RETRY_MS));
  };

  /** 24 hours after a version appeared: every database still on an older one is overdue (P2). */
  readonly flagOverdue = async (deadline: Deadline): Promise<void> => {
    const { tenantId, keyVersionId } = deadline.payload as KeyTimerPayload;
    const loaded = await this.keys.load(tenantId);
    const check = overdueCheck(loaded.state, keyVersionId!);
    if (check.kind === 'none') return;
    const { appended } = await this.keys.execute(tenantId, { type: 'FlagOverdueDatabases', data: { keyVersionId: check.keyVersionId, dueBy: check.dueBy } }, deadline.id, { loaded });
    if (appended.length > 0) this.logger.error({ tenantId, keyVersionId, databases: appended.length }, 'ALERT: databases not re-protected within 24 hours');
  };

  /**
   * At a version's retainUntil: re-checks what needs it now, and retires it (recorded first, so
   * nothing can count on it any more), then disables it in the vault; the key-ring saga sets its
   * destruction timer at the end of its grace (KeyVersionRetired.destroyAt). A retirement
   * interrupted by a crash finishes when the timer fires again.
   */
  readonly retire = async (deadline: Deadline, context: DeadlineFireContext): Promise<void> => {
    const { tenantId, keyVersionId } = deadline.payload as KeyTimerPayload;
    const v = keyVersionId!;
    const loaded = await this.keys.load(tenantId);
    const lead = this.retirementLeadMs;
    const now = new Date(this.clock.now().getTime() + lead);
    const action = retirementDecision(loaded.state, v, now);
    if (action.kind === 'none') return;
    if (action.kind === 'wait') return context.rescheduleAt(new Date(Date.parse(action.until) - lead));
    if (action.kind === 'retire') {
      const { state: after } = await this.keys.execute(tenantId, { type: 'RetireKeyVersion', data: { keyVersionId: v } }, `${deadline.id}:${action.retainUntil}`, {
        loaded,
        ...(lead > 0 ? { context: { now, archived: null } } : {}),
      });
      if (versionStatus(after, v) !== 'retired') return;
      this.logger.info({ tenantId, keyVersionId: v, retainUntil: action.retainUntil }, 'key version retired');
    }
    // Recorded first: a crash from here on is resumed by this timer, which finds the version retired.
    this.crash('retire:recorded');
    await this.vault.disable(v);
  };

  /**
   * At a retired version's destroyAt: unless it was enabled again since, records it destroyed (first,
   * so a concurrent break-glass enable is refused rather than enabling a version about to go), then
   * destroys it in the vault. Interrupted by a crash, it finishes when the timer fires again.
   */
  readonly destroy = async (deadline: Deadline, context: DeadlineFireContext): Promise<void> => {
    const { tenantId, keyVersionId } = deadline.payload as KeyTimerPayload;
    const v = keyVersionId!;
    const loaded = await this.keys.load(tenantId);
    const action = destructionDecision(loaded.state, v, this.clock.now());
    if (action.kind === 'none') return;
    if (action.kind === 'wait') return context.rescheduleAt(new Date(action.until));
    if (action.kind === 'destroy') {
      const { state: after } = await this.keys.execute(tenantId, { type: 'DestroyKeyVersion', data: { keyVersionId: v } }, deadline.id, { loaded });
      if (versionStatus(after, v) !== 'destroyed') return;
      this.logger.info({ tenantId, keyVersionId: v }, 'retired key version destroyed');
    }
    this.crash('destroy:recorded');
    await this.vault.destroy(v);
  };
}
