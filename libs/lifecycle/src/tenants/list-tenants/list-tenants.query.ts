import { Query } from '@nestjs/cqrs';
import type { TenantStatus } from '@lethe/domain';
import type { KeyRingView, Listing, Page, PageRequest, TenantView } from '@lethe/readmodel';

/** GET /v1/tenants pages in tenantId order. */
export const TENANTS_LISTING: Listing = { name: 'tenants', key: ['string'] };

export interface ListedTenant {
  readonly view: TenantView;
  readonly ring: KeyRingView | null;
}

export interface TenantFilter {
  readonly status?: TenantStatus;
  readonly jurisdiction?: string;
}

/** Tenants in tenantId order, filtered by status and jurisdiction (exact code). */
export class ListTenantsQuery extends Query<Page<ListedTenant>> {
  constructor(
    readonly filter: TenantFilter,
    readonly page: PageRequest,
  ) {
    super();
  }
}
