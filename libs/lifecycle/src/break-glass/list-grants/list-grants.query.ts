import { Query } from '@nestjs/cqrs';
import type { GrantState } from '@lethe/domain';

/** The newest grants first, at most MAX_LISTED_GRANTS (grants are rare: a handful a year). */
export const MAX_LISTED_GRANTS = 200;

export class ListGrantsQuery extends Query<GrantState[]> {}
