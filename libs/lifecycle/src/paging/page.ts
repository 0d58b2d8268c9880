// Keyset paging of list queries: a page of at most `limit` items in a stable order, and an opaque
// cursor (base64url of the last item's sort key) that the next page starts after.

export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

export interface Page<T> {
  readonly items: readonly T[];
  /** Where the next page starts; null on the last page. */
  readonly nextCursor: string | null;
}

export interface PageRequest {
  /** 1..MAX_PAGE_LIMIT. */
  readonly limit: number;
  /** The decoded cursor: the sort key of the last item already seen, or null for the first page. */
  readonly after: readonly string[] | null;
}

export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The sort key a cursor carries, or null when it is not one this module made. */
export function decodeCursor(cursor: string): readonly string[] | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(key) && key.length > 0 && key.every((k) => typeof k === 'string') ? key : null;
  } catch {
    return null;
  }
}

/**
 * The page from rows read with `limit + 1` (the extra row only says whether a next page exists).
 * `keyOf` gives a row's sort key, the one the query orders by.
 */
export function pageOf<T>(rows: readonly T[], limit: number, keyOf: (row: T) => readonly string[]): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(keyOf(items[items.length - 1]!)) : null };
}
