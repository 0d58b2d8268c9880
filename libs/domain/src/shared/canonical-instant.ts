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
