// LETHE_OIDC_*: people sign in at an OpenID Connect issuer, and call the API with the JWT it gives
// them. The values are checked here; the JWKS file is read at boot (apps/engine/src/http/auth/oidc-verifier.ts).
// Only asymmetric algorithms may be allowed: the verifier holds public keys, so an HMAC (or `none`)
// would let anyone who has them forge a token.
import { z } from 'zod';
import { carriesCredentials, NO_URL_CREDENTIALS_RULE } from './url-credentials.js';

/** The signature algorithms a deployment may allow (JWA names): RSA, RSA-PSS, ECDSA and EdDSA. */
export const OIDC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;
export const DEFAULT_OIDC_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'] as const;

export interface OidcConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly jwks: { readonly kind: 'url'; readonly url: URL } | { readonly kind: 'file'; readonly path: string };
  /** A claim name, or a dotted path into nested claims (`realm_access.roles`). */
  readonly rolesClaim: string;
  readonly algorithms: readonly string[];
  readonly clockToleranceSeconds: number;
}

const ALGORITHMS_RULE = `must be a comma-separated list of ${OIDC_ALGORITHMS.join(', ')} (asymmetric only: no none, no HS*)`;
const TOLERANCE_RULE = 'must be a whole number of seconds from 0 to 300';

export const oidcEnvShape = {
  // OpenID Connect issuers are https URLs (Core 1.0, 2); `iss` is compared with it exactly.
  LETHE_OIDC_ISSUER: z
    .string()
    .trim()
    .refine(isHttpsUrl, { message: 'must be the issuer\'s https:// URL, exactly as its tokens carry it in iss' })
    .refine((v) => !URL.canParse(v) || !carriesCredentials(new URL(v)), { message: NO_URL_CREDENTIALS_RULE })
    .optional(),
  LETHE_OIDC_AUDIENCE: z.string().trim().min(1).optional(),
  LETHE_OIDC_JWKS_URL: z.string().trim().min(1).optional(),
  LETHE_OIDC_JWKS_FILE: z.string().trim().min(1).optional(),
  LETHE_OIDC_ROLES_CLAIM: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_:/-]+(\.[A-Za-z0-9_:/-]+)*$/, { message: 'must be a claim name or a dotted path of claim names (e.g. realm_access.roles)' })
    .default('roles'),
  LETHE_OIDC_ALGORITHMS: z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()))
    .refine((list) => list.length > 0 && list.every((a) => (OIDC_ALGORITHMS as readonly string[]).includes(a)), { message: ALGORITHMS_RULE })
    .optional(),
  LETHE_OIDC_CLOCK_TOLERANCE_SECONDS: z
    .string()
    .trim()
    .regex(/^\d+$/, { message: TOLERANCE_RULE })
    .transform(Number)
    .refine((n) => n <= 300, { message: TOLERANCE_RULE })
    .default(30),
};

type OidcEnv = z.infer<z.ZodObject<typeof oidcEnvShape>>;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** OIDC when LETHE_OIDC_ISSUER is set (undefined otherwise); problems name the setting and the rule. */
export function readOidcConfig(env: OidcEnv, present: Readonly<Record<string, unknown>>, problems: string[]): OidcConfig | undefined {
  const names = Object.keys(oidcEnvShape).filter((n) => n !== 'LETHE_OIDC_ISSUER');
  if (env.LETHE_OIDC_ISSUER === undefined) {
    for (const name of names) if (present[name] !== undefined) problems.push(`${name}: only applies with LETHE_OIDC_ISSUER`);
    return undefined;
  }
  if (env.LETHE_OIDC_AUDIENCE === undefined) problems.push('LETHE_OIDC_AUDIENCE: is required with LETHE_OIDC_ISSUER (the `aud` the issuer puts in tokens meant for Lethe)');
  let jwks: OidcConfig['jwks'] | undefined;
  if ((env.LETHE_OIDC_JWKS_URL === undefined) === (env.LETHE_OIDC_JWKS_FILE === undefined)) {
    problems.push('LETHE_OIDC_JWKS_URL: exactly one of LETHE_OIDC_JWKS_URL and LETHE_OIDC_JWKS_FILE must be set with LETHE_OIDC_ISSUER (where the signing keys are)');
  } else if (env.LETHE_OIDC_JWKS_URL !== undefined) {
    const url = URL.canParse(env.LETHE_OIDC_JWKS_URL) ? new URL(env.LETHE_OIDC_JWKS_URL) : undefined;
    if (url === undefined || !(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)))) {
      problems.push('LETHE_OIDC_JWKS_URL: must be an https:// URL (http:// only on localhost)');
    } else if (carriesCredentials(url)) {
      problems.push(`LETHE_OIDC_JWKS_URL: ${NO_URL_CREDENTIALS_RULE}; an issuer's keys are public (or give them as LETHE_OIDC_JWKS_FILE)`);
    } else jwks = { kind: 'url', url };
  } else {
    jwks = { kind: 'file', path: env.LETHE_OIDC_JWKS_FILE! };
  }
  if (env.LETHE_OIDC_AUDIENCE === undefined || jwks === undefined) return undefined;
  return {
    issuer: env.LETHE_OIDC_ISSUER,
    audience: env.LETHE_OIDC_AUDIENCE,
    jwks,
    rolesClaim: env.LETHE_OIDC_ROLES_CLAIM,
    algorithms: env.LETHE_OIDC_ALGORITHMS ?? [...DEFAULT_OIDC_ALGORITHMS],
    clockToleranceSeconds: env.LETHE_OIDC_CLOCK_TOLERANCE_SECONDS,
  };
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}
