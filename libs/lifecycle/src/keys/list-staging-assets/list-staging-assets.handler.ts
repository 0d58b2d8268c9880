import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { StagingAssetState } from '@lethe/domain';
import { KeyRingRepository } from '../key-ring-repository.js';
import { ListStagingAssetsQuery } from './list-staging-assets.query.js';

@QueryHandler(ListStagingAssetsQuery)
export class ListStagingAssetsHandler implements IQueryHandler<ListStagingAssetsQuery> {
  constructor(@Inject(KeyRingRepository) private readonly keyRings: KeyRingRepository) {}

  /** DomainError 'tenant-not-found'. */
  async execute({ tenantId }: ListStagingAssetsQuery): Promise<readonly StagingAssetState[]> {
    return (await this.keyRings.loadExisting(tenantId)).state.stagingAssets;
  }
}
