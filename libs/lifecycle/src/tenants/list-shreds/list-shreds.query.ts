import { Query } from '@nestjs/cqrs';
import type { ShredProgress } from '@lethe/domain';
import type { Listing, Page, PageRequest, ShredRow } from '@lethe/readmodel';

/** GET /v1/shreds pages in (tenantId, shredId) order. */
export const SHREDS_LISTING: Listing = { name: 'shreds', key: ['string', 'string'] };

/**
 * Every shred, current and past (a cancelled one stays listed after a later shred), in
 * (tenantId, shredId) order, optionally of one status.
 */
export class ListShredsQuery extends Query<Page<ShredRow>> {
  constructor(
    readonly status: ShredProgress | undefined,
    readonly page: PageRequest,
  ) {
    super();
  }
}
