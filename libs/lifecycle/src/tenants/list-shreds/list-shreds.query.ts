import { Query } from '@nestjs/cqrs';
import { SHRED_PROGRESS, type ShredProgress } from '@lethe/domain';
import type { Listing, Page, PageRequest, ShredRow } from '@lethe/readmodel';

/** GET /v1/shreds pages in (tenantId, shredId) order. */
export const SHREDS_LISTING: Listing = { name: 'shreds', key: ['string', 'string'] };

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
