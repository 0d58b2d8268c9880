import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '@lethe/clock';
import { pageOf, type Page } from '@lethe/readmodel';
import type { PostgresDeadlineStore, UpcomingDeadline } from '@lethe/scheduler';
import { DEADLINES } from '../../lifecycle.tokens.js';
import { isTimerKind, scheduleKindOf, SCHEDULE_KINDS, timerKindsOf, timerSubject } from '../timer-kinds.js';
import { GetScheduleQuery, SCHEDULE_LISTING, type ScheduleItem, type ScheduleState } from './get-schedule.query.js';

@QueryHandler(GetScheduleQuery)
export class GetScheduleHandler implements IQueryHandler<GetScheduleQuery> {
  constructor(
    @Inject(DEADLINES) private readonly deadlines: PostgresDeadlineStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ filter, page }: GetScheduleQuery): Promise<Page<ScheduleItem>> {
    const now = this.clock.now();
    const after = page.after ? { dueAt: new Date(page.after[0] as string), id: page.after[1] as string } : null;
    // Only the lifecycle's own kinds: a row of a kind no handler fires any more is not part of the schedule.
    const rows = await this.deadlines.upcoming({
      kinds: timerKindsOf(filter.kinds ?? SCHEDULE_KINDS),
      from: filter.from ?? now,
      to: filter.to ?? null,
      after,
      limit: page.limit + 1,
    });
    const shown = pageOf(rows, page.limit, SCHEDULE_LISTING, (row) => [row.dueAt.toISOString(), row.id]);
    return { items: shown.items.flatMap((row) => (isTimerKind(row.kind) ? [itemOf(row, row.kind, now)] : [])), nextCursor: shown.nextCursor };
  }
}

function itemOf(row: UpcomingDeadline, kind: Parameters<typeof scheduleKindOf>[0], now: Date): ScheduleItem {
  const { tenantId, subject } = timerSubject(kind, row.payload);
  return { kind: scheduleKindOf(kind), tenantId, dueAt: row.dueAt.toISOString(), subject, state: stateOf(row, now), attempts: row.attempts };
}

function stateOf(row: UpcomingDeadline, now: Date): ScheduleState {
  if (row.status === 'failed') return 'failed';
  if (row.claimed) return 'claimed';
  return row.dueAt.getTime() <= now.getTime() ? 'late' : 'pending';
}
