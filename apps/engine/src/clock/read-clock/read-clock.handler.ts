import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '@lethe/clock';
import { manualClockOf } from '../manual-clock-of.js';
import { ReadClockQuery } from './read-clock.query.js';

@QueryHandler(ReadClockQuery)
export class ReadClockHandler implements IQueryHandler<ReadClockQuery> {
  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  /** @throws NotManualClockError with the system clock. */
  async execute(): Promise<{ now: string }> {
    return { now: manualClockOf(this.clock).now().toISOString() };
  }
}
