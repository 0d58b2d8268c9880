import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { KeyRingView, KeyVersionView } from '@lethe/readmodel';
import { GetKeysQuery, type KeyRingVersions } from './get-keys.query.js';

@QueryHandler(GetKeysQuery)
export class GetKeysHandler implements IQueryHandler<GetKeysQuery> {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async execute({ tenantId }: GetKeysQuery): Promise<KeyRingVersions> {
    const ring = await this.db.getRepository(KeyRingView).findOneBy({ tenantId });
    if (!ring) return null;
    const versions = await this.db.getRepository(KeyVersionView).find({ where: { tenantId }, order: { ordinal: 'ASC' } });
    return { ring, versions };
  }
}
