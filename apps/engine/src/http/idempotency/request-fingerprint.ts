// The fingerprint of a request body: SHA-256 over a canonical JSON (object keys sorted at every
// depth, no whitespace), so `{"a":1,"b":2}` and `{ "b": 2, "a": 1 }` are the same request.
import { createHash } from 'node:crypto';
import { canonicalJson } from '@lethe/lifecycle';

/** Hex SHA-256 of the canonical JSON of `body`. */
export function requestFingerprint(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body), 'utf8').digest('hex');
}
