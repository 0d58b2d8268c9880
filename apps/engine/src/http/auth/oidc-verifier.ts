// Verifies JWTs of the configured OpenID Connect issuer with `jose`: the signature against the
// issuer's JWKS (fetched from its URL and cached, or read from a file at boot for air-gapped
// installs), an allow-listed asymmetric algorithm, `iss`, `aud`, `exp` and `nbf` with a small
// tolerance, on the engine's clock. The roles are the Lethe role names found in the configured claim;
// the subject is `sub`. Why a token was refused is logged (jose's error code, never the token).
import { readFile } from 'node:fs/promises';
import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import type { Clock } from '@lethe/clock';
import { API_ROLES, ConfigError, type ApiRole } from '../../config/engine-config.js';
import type { OidcConfig } from '../../config/oidc-config.js';
import type { JwtVerifier } from './bearer-authenticator.js';

export interface OidcLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

type KeySet = ReturnType<typeof createLocalJWKSet> | ReturnType<typeof createRemoteJWKSet>;

/** How long a fetched JWKS is used before it is fetched again (a `kid` it lacks refetches sooner, at most every 30 s). */
const JWKS_CACHE_MS = 10 * 60 * 1000;
const JWKS_TIMEOUT_MS = 5_000;
/** An issuer's `sub` as Lethe records it: printable ASCII, as issuers make them (`auth0|…`, UUIDs). */
const OIDC_SUBJECT = /^[\x21-\x7e]{1,255}$/;

/**
 * The key set the config names: a URL (fetched on use) or a file read now.
 * @throws ConfigError naming LETHE_OIDC_JWKS_FILE when the file is not a JWKS
 */
export async function loadJwks(config: OidcConfig): Promise<KeySet> {
  if (config.jwks.kind === 'url') return createRemoteJWKSet(config.jwks.url, { cacheMaxAge: JWKS_CACHE_MS, timeoutDuration: JWKS_TIMEOUT_MS });
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(config.jwks.path, 'utf8'));
  } catch (error) {
    throw new ConfigError([`LETHE_OIDC_JWKS_FILE: must be a readable JSON Web Key Set file (${(error as NodeJS.ErrnoException).code ?? 'not JSON'})`]);
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.some((k) => typeof k !== 'object' || k === null || typeof (k as { kty?: unknown }).kty !== 'string')) {
    throw new ConfigError(['LETHE_OIDC_JWKS_FILE: must be a JSON Web Key Set ({"keys": [...]}, at least one key, each with its kty)']);
  }
  if (keys.some((k) => 'd' in (k as object) || (k as { kty: string }).kty === 'oct')) {
    throw new ConfigError(['LETHE_OIDC_JWKS_FILE: must hold public keys only (no private or symmetric key)']);
  }
  return createLocalJWKSet(parsed as JSONWebKeySet);
}

/** The value at a dotted claim path (`realm_access.roles`); a claim whose own name has the dots wins. */
function claimAt(payload: JWTPayload, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path];
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Lethe's role names among a claim's values (an array, or one space-separated string); others are ignored. */
export function rolesIn(claim: unknown): ApiRole[] {
  const values = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(' ') : [];
  return [...new Set(values.filter((v): v is ApiRole => typeof v === 'string' && (API_ROLES as readonly string[]).includes(v)))];
}

export class OidcVerifier implements JwtVerifier {
  constructor(
    private readonly config: OidcConfig,
    private readonly keys: KeySet,
    private readonly clock: Clock,
    private readonly logger: OidcLogger,
  ) {}

  async verify(jwt: string): Promise<{ readonly subject: string; readonly roles: readonly ApiRole[] } | null> {
    try {
      const { payload } = await jwtVerify(jwt, this.keys, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: [...this.config.algorithms],
        clockTolerance: this.config.clockToleranceSeconds,
        currentDate: this.clock.now(),
        requiredClaims: ['sub', 'exp'],
      });
      if (typeof payload.sub !== 'string' || !OIDC_SUBJECT.test(payload.sub)) {
        this.logger.warn({ reason: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'sub' }, 'OIDC token refused: its sub is not a subject Lethe can record');
        return null;
      }
      return { subject: payload.sub, roles: rolesIn(claimAt(payload, this.config.rolesClaim)) };
    } catch (error) {
      if (!(error instanceof errors.JOSEError)) {
        // The issuer's JWKS could not be fetched (network, TLS): no token of it can be checked now.
        this.logger.warn({ reason: 'jwks-unavailable', error: (error as Error).name }, 'OIDC token refused: the issuer\'s keys could not be fetched');
        return null;
      }
      const claim = error instanceof errors.JWTClaimValidationFailed ? { claim: error.claim } : {};
      this.logger.warn({ reason: error.code, ...claim }, 'OIDC token refused');
      return null;
    }
  }
}
