import { Query } from '@nestjs/cqrs';
import type { TenantStatus } from '@lethe/domain';
import type { TenantView } from '@lethe/readmodel';
import type { Page, PageRequest } from '../../paging/page.js';

/** The statuses a tenant with a shred can have. */
export const SHRED_STATUSES = ['shred-scheduled', 'shredding', 'shredded', 'verified', 'breached', 'cancelled'] as const satisfies readonly TenantStatus[];
export type ShredStatusFilter = (typeof SHRED_STATUSES)[number];

/** Tenants with a shred (one each: its latest), in tenantId order, optionally of one status. */
export class ListShredsQuery extends Query<Page<TenantView>> {
  constructor(
    readonly status: ShredStatusFilter | undefined,
    readonly page: PageRequest,
  ) {
    super();
  }
}
