import { Query } from '@nestjs/cqrs';
import type { GrantState } from '@lethe/domain';

/** One grant as its events say now; null when there is none of that id. */
export class GetGrantQuery extends Query<GrantState | null> {
  constructor(readonly grantId: string) {
    super();
  }
}
