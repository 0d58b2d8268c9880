// Finds who a bearer token stands for: a static token (compared as SHA-256 digests with
// crypto.timingSafeEqual, against every configured token with no early exit, so the time taken
// says nothing about how close a guess was or which entry matched), else, when an OIDC issuer is
// configured, a JWT it signed (oidc-verifier.ts).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiRole, ApiToken } from '../../config/engine-config.js';

/** Who is calling, as the events they cause name them; never the token. */
export interface Identity {
  readonly subject: string;
  readonly roles: readonly ApiRole[];
  /** `token`: a static token of LETHE_TOKENS or the tokens file; `oidc`: a JWT of the configured issuer. */
  readonly via: 'token' | 'oidc';
}

export type Authentication =
  | ({ readonly outcome: 'authenticated' } & Identity)
  | { readonly outcome: 'missing' }
  | { readonly outcome: 'malformed' }
  | { readonly outcome: 'unknown' };

/** Checks a JWT; null when it is not one the configured issuer signed for us, or is not valid now. */
export interface JwtVerifier {
  verify(jwt: string): Promise<{ readonly subject: string; readonly roles: readonly ApiRole[] } | null>;
}

// The case-insensitive scheme, spaces, then one token of printable ASCII (configured tokens are
// printable ASCII without spaces, a superset of RFC 6750's b64token).
const BEARER = /^Bearer +([\x21-\x7e]+) *$/i;
/** A JWS in compact serialisation: three base64url parts. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export class BearerAuthenticator {
  private readonly entries: readonly { readonly role: ApiRole; readonly subject: string; readonly digest: Buffer }[];

  constructor(
    tokens: readonly ApiToken[],
    private readonly jwt?: JwtVerifier,
  ) {
    this.entries = tokens.map((t) => ({ role: t.role, subject: t.subject, digest: digest(t.token) }));
  }

  /** `header`: the raw Authorization header value(s). Never logs or returns the token. */
  async authenticate(header: string | readonly string[] | undefined): Promise<Authentication> {
    if (header === undefined || header === '') return { outcome: 'missing' };
    if (typeof header !== 'string') return { outcome: 'malformed' };
    const match = BEARER.exec(header);
    if (!match) return { outcome: 'malformed' };
    const presented = digest(match[1]);
    let found: { readonly role: ApiRole; readonly subject: string } | undefined;
    for (const entry of this.entries) {
      const equal = timingSafeEqual(presented, entry.digest);
      // The first match wins; later entries are still compared.
      if (equal && found === undefined) found = entry;
    }
    if (found !== undefined) return { outcome: 'authenticated', subject: found.subject, roles: [found.role], via: 'token' };
    if (this.jwt !== undefined && COMPACT_JWS.test(match[1])) {
      const verified = await this.jwt.verify(match[1]);
      if (verified !== null) return { outcome: 'authenticated', subject: verified.subject, roles: verified.roles, via: 'oidc' };
    }
    return { outcome: 'unknown' };
  }
}
