// Finds the role of a bearer token. Presented and configured tokens are compared as SHA-256
// digests with crypto.timingSafeEqual, against every configured token with no early exit, so the
// time taken says nothing about how close a guess was or which entry matched.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiRole, ApiToken } from '../../config/engine-config.js';

export type Authentication =
  | { readonly outcome: 'authenticated'; readonly role: ApiRole }
  | { readonly outcome: 'missing' }
  | { readonly outcome: 'malformed' }
  | { readonly outcome: 'unknown' };

// The case-insensitive scheme, spaces, then one token of printable ASCII (configured tokens are
// printable ASCII without spaces, a superset of RFC 6750's b64token).
const BEARER = /^Bearer +([\x21-\x7e]+) *$/i;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export class BearerAuthenticator {
  private readonly entries: readonly { readonly role: ApiRole; readonly digest: Buffer }[];

  constructor(tokens: readonly ApiToken[]) {
    this.entries = tokens.map((t) => ({ role: t.role, digest: digest(t.token) }));
  }

  /** `header`: the raw Authorization header value(s). Never logs or returns the token. */
  authenticate(header: string | readonly string[] | undefined): Authentication {
    if (header === undefined || header === '') return { outcome: 'missing' };
    if (typeof header !== 'string') return { outcome: 'malformed' };
    const match = BEARER.exec(header);
    if (!match) return { outcome: 'malformed' };
    const presented = digest(match[1]);
    let role: ApiRole | undefined;
    for (const entry of this.entries) {
      const equal = timingSafeEqual(presented, entry.digest);
      // The first match wins; later entries are still compared.
      if (equal && role === undefined) role = entry.role;
    }
    return role === undefined ? { outcome: 'unknown' } : { outcome: 'authenticated', role };
  }
}
