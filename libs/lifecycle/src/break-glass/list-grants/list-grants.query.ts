import { Query } from '@nestjs/cqrs';
import type { GrantState } from '@lethe/domain';
import type { GrantFilter, Page, PageRequest } from '@lethe/readmodel';

/** One page of grants, the newest first, that `filter` selects. */
export class ListGrantsQuery extends Query<Page<GrantState>> {
  constructor(
    readonly filter: GrantFilter,
    readonly page: PageRequest,
  ) {
    super();
  }
}
