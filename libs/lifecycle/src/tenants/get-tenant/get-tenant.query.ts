import { Query } from '@nestjs/cqrs';
import type { KeyRingState, TenantState } from '@lethe/domain';
import type { TenantRow } from '../tenant-rows.js';

/**
 * A tenant as the read model has it, or, just onboarded and not projected yet, as its aggregates
 * have it (rather than a false 404). Null: no such tenant.
 */
export type TenantDetails =
  | { readonly source: 'read-model'; readonly row: TenantRow }
  | { readonly source: 'aggregates'; readonly tenant: TenantState; readonly keyRing: KeyRingState }
  | null;

export class GetTenantQuery extends Query<TenantDetails> {
  constructor(readonly tenantId: string) {
    super();
  }
}
