import { Query } from '@nestjs/cqrs';
import type { StagingAssetState } from '@lethe/domain';

/** The staging blobs registered for a tenant, as its key ring has them. */
export class ListStagingAssetsQuery extends Query<readonly StagingAssetState[]> {
  constructor(readonly tenantId: string) {
    super();
  }
}
