// The fingerprint of a request body: SHA-256 over a canonical JSON (object keys sorted at every
// depth, no whitespace, every ISO 8601 instant in one spelling), so `{"a":1,"b":2}` and
// `{ "b": 2, "a": 1 }` are the same request, and so are `"2027-01-01T00:00:00Z"` and
// `"2027-01-01T00:00:00.000Z"` (the same instant).
import { createHash } from 'node:crypto';
import { canonicalInstant } from '@lethe/domain';
import { canonicalJson } from '@lethe/lifecycle';

/** Hex SHA-256 of the canonical JSON of `body`, instants written as toISOString() does. */
export function requestFingerprint(body: unknown): string {
  const canonical = canonicalJson(body, { mapString: (value) => canonicalInstant(value) ?? value });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
