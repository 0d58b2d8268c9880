// The paging contract of list routes: ?limit= (1..1000, default 100) and ?cursor= (opaque, the
// previous page's nextCursor of the same listing); answers {items, nextCursor}, nextCursor null on
// the last page. Limits, rules and cursors are the read model's (libs/readmodel page-cursor.ts).
import { CURSOR_RULE, DEFAULT_PAGE_LIMIT, LIMIT_RULE, MAX_PAGE_LIMIT, decodeCursor, isCursorOf, type KeyPart, type Listing, type PageRequest } from '@lethe/readmodel';
import { z } from 'zod';
import { wholeNumberQueryField } from './whole-number.schema.js';

/** The `limit` and `cursor` query fields of `listing`: a cursor of another listing is a 400 naming `cursor`. */
export function pageFields(listing: Listing) {
  return {
    limit: wholeNumberQueryField({ min: 1, max: MAX_PAGE_LIMIT, fallback: DEFAULT_PAGE_LIMIT, rule: LIMIT_RULE }),
    cursor: z
      .string()
      .refine((cursor) => isCursorOf(listing, cursor), { message: CURSOR_RULE })
      .transform((cursor) => decodeCursor(listing.name, cursor, listing.key))
      .optional(),
  };
}

export function pageRequest(query: { readonly limit: number; readonly cursor?: readonly KeyPart[] }): PageRequest {
  return { limit: query.limit, after: query.cursor ?? null };
}
