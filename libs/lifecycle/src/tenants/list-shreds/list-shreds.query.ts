import { Query } from '@nestjs/cqrs';
import { SHRED_PROGRESS, type ShredProgress } from '@lethe/domain';
import type { ShredRow } from '@lethe/readmodel';
import type { Page, PageRequest } from '../../paging/page.js';

/** The statuses a shred can have (the `status` filter of GET /v1/shreds). */
export const SHRED_STATUSES = SHRED_PROGRESS;
export type ShredStatusFilter = ShredProgress;

/**
 * Every shred, current and past (a cancelled one stays listed after a later shred), in
 * (tenantId, shredId) order, optionally of one status.
 */
export class ListShredsQuery extends Query<Page<ShredRow>> {
  constructor(
    readonly status: ShredStatusFilter | undefined,
    readonly page: PageRequest,
  ) {
    super();
  }
}
