import { Query } from '@nestjs/cqrs';
import type { TenantStatus } from '@lethe/domain';
import type { Listing, Page, PageRequest } from '@lethe/readmodel';
import type { TenantRow } from '../tenant-rows.js';

/** GET /v1/tenants pages in tenantId order. */
export const TENANTS_LISTING: Listing = { name: 'tenants', key: ['string'] };

export interface TenantFilter {
  readonly status?: TenantStatus;
  readonly jurisdiction?: string;
}

/** Tenants in tenantId order, filtered by status and jurisdiction (exact code). */
export class ListTenantsQuery extends Query<Page<TenantRow>> {
  constructor(
    readonly filter: TenantFilter,
    readonly page: PageRequest,
  ) {
    super();
  }
}
