import { Query } from '@nestjs/cqrs';
import type { KeyRingSummary, KeyVersionItem, KeyVersionsQuery, Page } from '@lethe/readmodel';

/** A tenant's key ring and a page of its versions (oldest first) from the read model; null: no such ring. */
export type KeyRingVersions = { readonly ring: KeyRingSummary; readonly versions: Page<KeyVersionItem> } | null;

export class GetKeysQuery extends Query<KeyRingVersions> {
  constructor(
    readonly tenantId: string,
    readonly page: KeyVersionsQuery = {},
  ) {
    super();
  }
}
