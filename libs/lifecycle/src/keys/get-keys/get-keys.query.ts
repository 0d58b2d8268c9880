import { Query } from '@nestjs/cqrs';
import type { KeyRingView, KeyVersionView } from '@lethe/readmodel';

/** A tenant's key ring and its versions (oldest first) from the read model; null: no such ring. */
export type KeyRingVersions = { readonly ring: KeyRingView; readonly versions: readonly KeyVersionView[] } | null;

export class GetKeysQuery extends Query<KeyRingVersions> {
  constructor(readonly tenantId: string) {
    super();
  }
}
