// Keyset paging for read queries: a page is `{ items, nextCursor }`; the cursor is opaque to callers
// (base64url of JSON naming the listing and the sort key of the last item returned), so a listing
// can change its key without breaking their code, and a cursor of one listing is refused by another.

/** Items per page when the caller gives no limit, and the most a caller may ask for. */
export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export const CURSOR_RULE = 'must be the nextCursor of a previous page of this listing';
export const LIMIT_RULE = `must be a whole number from 1 to ${MAX_PAGE_LIMIT}`;

/** A cursor that is not base64url JSON of this listing's key. `field` is the query parameter at fault. */
export class InvalidPageRequestError extends Error {
  constructor(
    readonly field: 'cursor' | 'limit',
    readonly rule: string,
  ) {
    super(`${field} ${rule}`);
    this.name = 'InvalidPageRequestError';
  }
}

export type KeyPart = string | number;
/** The type of each part of a listing's key; an `instant` is an ISO 8601 string. */
export type KeyShape = readonly ('string' | 'number' | 'instant')[];

// eslint-disable-next-line no-control-regex
const NUL = /\u0000/;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Whether `part` can be sent to PostgreSQL as text: a forged cursor holding NUL or a lone surrogate
 * would otherwise fail the query ("invalid byte sequence for encoding UTF8: 0x00"), a 500.
 */
const storable = (part: string): boolean => !NUL.test(part) && !LONE_SURROGATE.test(part);

function fits(part: unknown, type: KeyShape[number]): boolean {
  if (type === 'number') return typeof part === 'number' && Number.isSafeInteger(part);
  if (type === 'instant') return typeof part === 'string' && storable(part) && !Number.isNaN(Date.parse(part));
  return typeof part === 'string' && storable(part);
}

export function encodeCursor(listing: string, key: readonly KeyPart[]): string {
  return Buffer.from(JSON.stringify([listing, ...key]), 'utf8').toString('base64url');
}

/**
 * The sort key inside a cursor of `listing`, checked against `shape` (the type of each part).
 * Throws InvalidPageRequestError('cursor') for anything else.
 */
export function decodeCursor(listing: string, cursor: string, shape: KeyShape): KeyPart[] {
  const bad = () => new InvalidPageRequestError('cursor', CURSOR_RULE);
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(cursor)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== shape.length + 1 || parsed[0] !== listing) throw bad();
  const key = parsed.slice(1) as unknown[];
  if (!key.every((part, i) => fits(part, shape[i]))) throw bad();
  return key as KeyPart[];
}

/** The limit to use: the default when absent; InvalidPageRequestError('limit') outside 1..MAX. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) throw new InvalidPageRequestError('limit', LIMIT_RULE);
  return limit;
}

/** A listing's name (tagged into its cursors) and the type of each part of its sort key. */
export interface Listing {
  readonly name: string;
  readonly key: KeyShape;
}

/** A page asked for: at most `limit` items after `after` (the decoded sort key of the last one seen). */
export interface PageRequest {
  /** 1..MAX_PAGE_LIMIT. */
  readonly limit: number;
  readonly after: readonly KeyPart[] | null;
}

/** Whether `cursor` is a nextCursor of `listing` (for validating input up front). */
export function isCursorOf(listing: Listing, cursor: string): boolean {
  try {
    decodeCursor(listing.name, cursor, listing.key);
    return true;
  } catch {
    return false;
  }
}

/**
 * The page from rows read with `limit + 1` (the extra row only says whether a next page exists).
 * `keyOf` gives a row's sort key, the one the query orders by.
 */
export function pageOf<T>(rows: readonly T[], limit: number, listing: Listing, keyOf: (row: T) => readonly KeyPart[]): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(listing.name, keyOf(items[items.length - 1]!)) : null };
}
