// What the key lifecycle's timers do when they fire. Each re-reads the key ring first, so a timer
// that fires late, twice, or after the world changed does the right thing or nothing.
import type { Logger } from 'pino';
import type { Clock } from '@lethe/clock';
import { currentVersionOf, databasesBehind, newestVersion, retainUntil, rotationDueAt, versionStatus } from '@lethe/domain';
import type { Deadline, DeadlineFireContext, PostgresDeadlineStore } from '@lethe/scheduler';
import type { KeyVault } from '@lethe/vault';
import type { KeyRingRepository } from './key-ring-repository.js';
import type { CrashHook } from '../crash-points.js';
import type { LifecycleDataPlane } from '../lifecycle-ports.js';
import { REPROTECT_WITHIN_MS, type KeyTimerPayload } from './key-timers.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const RETRY_MS = 5 * 60 * 1000;

export class KeyRingHandlers {
  constructor(
    private readonly keys: KeyRingRepository,
    private readonly deadlines: PostgresDeadlineStore,
    private readonly vault: Pick<KeyVault, 'createVersion' | 'disable' | 'destroy'>,
    private readonly dataPlane: Pick<LifecycleDataPlane, 'reprotectDatabase'>,
    private readonly clock: Clock,
    private readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>,
    private readonly crash: CrashHook,
  ) {}

  private later(deadline: Deadline, context: DeadlineFireContext, at: Date): Promise<unknown> {
    return this.deadlines.scheduleInTx(context.client, deadline.id, at, deadline.kind, deadline.payload);
  }

  /** At the newest version's age limit: a new version (managed), or KeyRotationDue (client-held). */
  readonly rotate = async (deadline: Deadline, context: DeadlineFireContext): Promise<void> => {
    const { tenantId } = deadline.payload as KeyTimerPayload;
    const { state } = await this.keys.load(tenantId);
    if (!state.exists || state.destroyed) return;
    const now = this.clock.now();
    const due = new Date(rotationDueAt(state));
    if (now < due) return void (await this.later(deadline, context, due));
    const newest = newestVersion(state)!;
    if (state.keyCustody === 'managed') {
      const created = await this.vault.createVersion(state.keyId!);
      const { state: after } = await this.keys.execute(
        tenantId,
        { type: 'AddKeyVersion', data: { keyVersionId: created.versionId, source: 'policy', createdAt: created.createdAt.toISOString() } },
        `${deadline.id}:after:${newest.keyVersionId}`,
      );
      this.logger.info({ tenantId, keyVersionId: created.versionId }, 'key rotated by policy');
      await this.later(deadline, context, new Date(rotationDueAt(after)));
    } else {
      await this.keys.execute(tenantId, { type: 'RaiseRotationDue', data: {} }, `${deadline.id}:due:${newest.keyVersionId}`);
      this.logger.warn({ tenantId, keyVersionId: newest.keyVersionId }, 'client-held key is due for rotation');
      // Keep watching: a version the client creates is detected and moves this timer.
      await this.later(deadline, context, new Date(now.getTime() + DAY_MS));
    }
  };

  /** Moves every database that is behind onto the newest version; retries until they all are. */
  readonly reprotect = async (deadline: Deadline, context: DeadlineFireContext): Promise<void> => {
    const { tenantId } = deadline.payload as KeyTimerPayload;
    const { state } = await this.keys.load(tenantId);
    if (!state.exists || state.destroyed) return;
    const newest = newestVersion(state)!.keyVersionId;
    let failed = 0;
    for (const databaseId of databasesBehind(state)) {
      const from = currentVersionOf(state, databaseId)!;
      try {
        await this.dataPlane.reprotectDatabase(tenantId, databaseId, from, newest);
        await this.keys.execute(
          tenantId,
          { type: 'RecordReprotection', data: { databaseId, fromKeyVersionId: from, toKeyVersionId: newest } },
          `reprotect:${databaseId}:${from}:${newest}`,
        );
      } catch (error) {
        failed++;
        this.logger.warn({ tenantId, databaseId, keyVersionId: newest, error: (error as Error).name }, 'database re-protection failed; will retry');
      }
    }
    if (failed > 0) await this.later(deadline, context, new Date(this.clock.now().getTime() + RETRY_MS));
  };

  /** 24 hours after a version appeared: every database still on an older one is overdue (P2). */
  readonly flagOverdue = async (deadline: Deadline): Promise<void> => {
    const { tenantId, keyVersionId } = deadline.payload as KeyTimerPayload;
    const { state } = await this.keys.load(tenantId);
    if (!state.exists || state.destroyed) return;
    const version = state.versions.find((v) => v.keyVersionId === keyVersionId);
    if (!version) return;
    const dueBy = new Date(new Date(version.createdAt).getTime() + REPROTECT_WITHIN_MS).toISOString();
    const { appended } = await this.keys.execute(tenantId, { type: 'FlagOverdueDatabases', data: { keyVersionId: keyVersionId!, dueBy } }, deadline.id);
    if (appended.length > 0) this.logger.error({ tenantId, keyVersionId, databases: appended.length }, 'ALERT: databases not re-protected within 24 hours');
  };

  /**
   * At a version's retainUntil: re-checks what needs it now, and retires it (recorded first, so
   * nothing can count on it any more), then disables and destroys it in the vault. A retirement
   * interrupted by a crash finishes when the timer fires again.
   */
  readonly retire = async (deadline: Deadline, context: DeadlineFireContext): Promise<void> => {
    const { tenantId, keyVersionId } = deadline.payload as KeyTimerPayload;
    const v = keyVersionId!;
    const { state } = await this.keys.load(tenantId);
    if (!state.exists || state.destroyed) return;
    if (versionStatus(state, v) !== 'retired') {
      const until = retainUntil(state, v);
      if (until === null) return; // needed again (a database is on it): the saga sets a new timer when that ends
      const now = this.clock.now();
      if (now < new Date(until)) return void (await this.later(deadline, context, new Date(until)));
      const { state: after } = await this.keys.execute(tenantId, { type: 'RetireKeyVersion', data: { keyVersionId: v } }, `${deadline.id}:${until}`);
      if (versionStatus(after, v) !== 'retired') return;
      this.logger.info({ tenantId, keyVersionId: v, retainUntil: until }, 'key version retired');
    }
    // Recorded first: a crash from here on is resumed by this timer, which finds the version retired.
    this.crash('retire:recorded');
    await this.vault.disable(v);
    this.crash('retire:disabled');
    await this.vault.destroy(v);
  };
}
