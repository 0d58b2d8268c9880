import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { RejectedEventView } from '@lethe/readmodel';
import { ListRejectedEventsQuery, REJECTED_EVENTS_SHOWN, type RejectedEvents } from './list-rejected-events.query.js';

@QueryHandler(ListRejectedEventsQuery)
export class ListRejectedEventsHandler implements IQueryHandler<ListRejectedEventsQuery> {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async execute(): Promise<RejectedEvents> {
    const [rejected, total] = await this.db.getRepository(RejectedEventView).findAndCount({ order: { position: 'DESC' }, take: REJECTED_EVENTS_SHOWN });
    return { total, rejected };
  }
}
