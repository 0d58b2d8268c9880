// Sets a grant's expiry timer when its window opens, and cancels it when the grant is revoked. The
// timer is written in the processor's transaction, so it exists exactly once and survives restarts.
import type pg from 'pg';
import { breakGlassCategory } from '@lethe/domain';
import { on, type Delivered, type Processor } from '@lethe/processors';
import type { PostgresDeadlineStore } from '@lethe/scheduler';
import { BREAK_GLASS_EXPIRY, breakGlassExpiryId, type BreakGlassTimerPayload } from './break-glass-timers.js';

const INTERESTS = [on(breakGlassCategory, ['BreakGlassActivated', 'BreakGlassRevoked'])] as const;

export class BreakGlassSaga implements Processor<typeof INTERESTS> {
  readonly name = 'saga:break-glass';
  readonly interests = INTERESTS;

  constructor(private readonly deadlines: PostgresDeadlineStore) {}

  async handle(event: Delivered<typeof INTERESTS>, tx: pg.PoolClient): Promise<void> {
    const grantId = event.categoryId;
    if (event.type === 'BreakGlassActivated') {
      const payload: BreakGlassTimerPayload = { grantId };
      await this.deadlines.scheduleInTx(tx, breakGlassExpiryId(grantId), new Date(event.data.expiresAt), BREAK_GLASS_EXPIRY, payload);
    } else {
      await this.deadlines.cancelInTx(tx, breakGlassExpiryId(grantId));
    }
  }
}
