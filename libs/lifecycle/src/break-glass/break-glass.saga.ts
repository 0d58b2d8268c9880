// A grant's timers: when it is requested, the one at which the request lapses unapproved; when its
// window opens, the one that closes it (and the lapse is cancelled); when it is revoked, both are
// cancelled. Timers are written in the processor's transaction, so each exists exactly once and
// survives restarts.
import type pg from 'pg';
import { breakGlassCategory, requestLapsesAt } from '@lethe/domain';
import { on, type Delivered, type Processor } from '@lethe/processors';
import type { PostgresDeadlineStore } from '@lethe/scheduler';
import { BREAK_GLASS_EXPIRY, breakGlassExpiryId, breakGlassLapseId, type BreakGlassTimerPayload } from './break-glass-timers.js';

const INTERESTS = [on(breakGlassCategory, ['BreakGlassRequested', 'BreakGlassActivated', 'BreakGlassRevoked'])] as const;

export class BreakGlassSaga implements Processor<typeof INTERESTS> {
  readonly name = 'saga:break-glass';
  readonly interests = INTERESTS;

  constructor(private readonly deadlines: PostgresDeadlineStore) {}

  async handle(event: Delivered<typeof INTERESTS>, tx: pg.PoolClient): Promise<void> {
    const grantId = event.categoryId;
    const payload: BreakGlassTimerPayload = { grantId };
    switch (event.type) {
      case 'BreakGlassRequested':
        await this.deadlines.scheduleInTx(tx, breakGlassLapseId(grantId), new Date(requestLapsesAt({ requestedAt: event.data.at })), BREAK_GLASS_EXPIRY, payload);
        return;
      case 'BreakGlassActivated':
        await this.deadlines.cancelInTx(tx, breakGlassLapseId(grantId));
        await this.deadlines.scheduleInTx(tx, breakGlassExpiryId(grantId), new Date(event.data.expiresAt), BREAK_GLASS_EXPIRY, payload);
        return;
      case 'BreakGlassRevoked':
        await this.deadlines.cancelInTx(tx, breakGlassLapseId(grantId));
        await this.deadlines.cancelInTx(tx, breakGlassExpiryId(grantId));
        return;
    }
  }
}
