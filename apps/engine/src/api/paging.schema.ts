// The paging contract of list routes: ?limit= (1..1000, default 100) and ?cursor= (opaque, from the
// previous page's nextCursor); answers {items, nextCursor}, nextCursor null on the last page.
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, decodeCursor, type PageRequest } from '@lethe/lifecycle';
import { z } from 'zod';

const LIMIT_RULE = `must be a whole number from 1 to ${MAX_PAGE_LIMIT}`;

export const pageFields = {
  limit: z.coerce.number({ message: LIMIT_RULE }).int({ message: LIMIT_RULE }).min(1, { message: LIMIT_RULE }).max(MAX_PAGE_LIMIT, { message: LIMIT_RULE }).default(DEFAULT_PAGE_LIMIT),
  cursor: z
    .string()
    .transform((cursor, ctx) => {
      const key = decodeCursor(cursor);
      if (key === null) ctx.addIssue({ code: 'custom', message: "must be a nextCursor from this list's previous page" });
      return key ?? z.NEVER;
    })
    .optional(),
};

export function pageRequest(query: { readonly limit: number; readonly cursor?: readonly string[] }): PageRequest {
  return { limit: query.limit, after: query.cursor ?? null };
}
