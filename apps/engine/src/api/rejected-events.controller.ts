// GET /v1/rejected-events: contract-stream events Lethe refused (newest first), with the count, so ops
// see a contract system sending notices that never triggered a shred.
import { Controller, Get } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { RejectedEventView } from '@lethe/readmodel';
import { Roles } from '../http/index.js';

const PAGE = 500;

@Controller('v1/rejected-events')
export class RejectedEventsController {
  constructor(@InjectRepository(RejectedEventView) private readonly rejected: Repository<RejectedEventView>) {}

  @Get()
  @Roles('ops-reader')
  async list() {
    const [rows, total] = await this.rejected.findAndCount({ order: { position: 'DESC' }, take: PAGE });
    return {
      total,
      rejected: rows.map((r) => ({
        eventId: r.eventId,
        streamId: r.streamId,
        revision: r.revision,
        eventType: r.eventType,
        errors: r.errors,
        rejectedAt: r.rejectedAt.toISOString(),
      })),
    };
  }
}
