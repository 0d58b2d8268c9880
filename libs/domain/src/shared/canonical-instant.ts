// One instant, one spelling. `2027-01-01T00:00:00Z`, `2027-01-01T00:00:00.000Z` and
// `2027-01-01T01:00:00+01:00` name the same instant, so a request repeated with any of them is the
// same request (sameJson, and the HTTP idempotency fingerprint, compare instants this way).
import { z } from 'zod';

// The format every instant field accepts (instantSchema): ISO 8601 with a time zone designator.
const ISO_INSTANT = z.iso.datetime({ offset: true });

/**
 * `value` as `Date.prototype.toISOString()` writes it (UTC, milliseconds) when it is an ISO 8601
 * instant with a time zone designator (`Z` or `±hh:mm`); undefined for any other string.
 */
export function canonicalInstant(value: string): string | undefined {
  if (!ISO_INSTANT.safeParse(value).success) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** toISOString's spelling (`YYYY-MM-DDTHH:mm:ss.sssZ`, a year 0000–9999): text order is time order. */
function hasIsoStringShape(s: string): boolean {
  return s.length === 24 && s.charCodeAt(23) === 90 /* Z */ && s.charCodeAt(10) === 84 /* T */ && s.charCodeAt(4) === 45 && s.charCodeAt(19) === 46;
}

/**
 * Whether instant `a` is later than instant `b`. Two in toISOString's spelling (every instant a
 * decider stores) compare as text, without parsing: a ring's retention rule compares thousands of
 * them per event. Any other spelling is parsed; an unparseable one is neither later nor earlier.
 * Meant for toISOString's output: a string of its shape naming no real date (`2024-02-31T…`, which
 * Date.parse would move to March) is compared as text.
 */
export function isLaterInstant(a: string, b: string): boolean {
  if (hasIsoStringShape(a) && hasIsoStringShape(b)) return a > b;
  return Date.parse(a) > Date.parse(b);
}
