import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import type { GrantState } from '@lethe/domain';
import { BreakGlassRepository } from '../break-glass-repository.js';
import { grantOf, isGrantId } from '../grant-of.js';
import { GetGrantQuery } from './get-grant.query.js';

@QueryHandler(GetGrantQuery)
export class GetGrantHandler implements IQueryHandler<GetGrantQuery> {
  constructor(@Inject(BreakGlassRepository) private readonly grants: BreakGlassRepository) {}

  async execute({ grantId }: GetGrantQuery): Promise<GrantState | null> {
    if (!isGrantId(grantId)) return null;
    const { state } = await this.grants.load(grantId);
    return state.exists ? grantOf(state) : null;
  }
}
