import { loadConfig } from './engine-config.js';
import { problemsOf } from './config-problems.fixture.js';

const BASE = { LETHE_OIDC_ISSUER: 'https://login.example.test', LETHE_OIDC_AUDIENCE: 'lethe' };

describe('LETHE_OIDC_*', () => {
  it('is off without an issuer', () => {
    expect(loadConfig({}).oidc).toBeUndefined();
  });

  it('reads an issuer with a JWKS URL or file, the roles claim, algorithms and tolerance', () => {
    expect(loadConfig({ ...BASE, LETHE_OIDC_JWKS_URL: 'https://login.example.test/certs' }).oidc).toEqual({
      issuer: 'https://login.example.test',
      audience: 'lethe',
      jwks: { kind: 'url', url: new URL('https://login.example.test/certs') },
      rolesClaim: 'roles',
      algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      clockToleranceSeconds: 30,
    });
    expect(
      loadConfig({ ...BASE, LETHE_OIDC_JWKS_FILE: '/etc/lethe/jwks.json', LETHE_OIDC_ROLES_CLAIM: 'realm_access.roles', LETHE_OIDC_ALGORITHMS: 'ES384, EdDSA', LETHE_OIDC_CLOCK_TOLERANCE_SECONDS: '5' }).oidc,
    ).toMatchObject({ jwks: { kind: 'file', path: '/etc/lethe/jwks.json' }, rolesClaim: 'realm_access.roles', algorithms: ['ES384', 'EdDSA'], clockToleranceSeconds: 5 });
    expect(loadConfig({ ...BASE, LETHE_OIDC_JWKS_URL: 'http://localhost:8080/certs' }).oidc?.jwks.kind).toBe('url');
  });

  it.each([
    [{ LETHE_OIDC_AUDIENCE: 'lethe' }, 'LETHE_OIDC_AUDIENCE: only applies with LETHE_OIDC_ISSUER'],
    [{ ...BASE, LETHE_OIDC_ISSUER: 'not-a-url', LETHE_OIDC_JWKS_URL: 'https://x/certs' }, "LETHE_OIDC_ISSUER: must be the issuer's https:// URL, exactly as its tokens carry it in iss"],
    [{ LETHE_OIDC_ISSUER: 'https://x', LETHE_OIDC_JWKS_URL: 'https://x/certs' }, 'LETHE_OIDC_AUDIENCE: is required'],
    [BASE, 'LETHE_OIDC_JWKS_URL: exactly one of'],
    [{ ...BASE, LETHE_OIDC_JWKS_URL: 'https://x/certs', LETHE_OIDC_JWKS_FILE: '/k' }, 'LETHE_OIDC_JWKS_URL: exactly one of'],
    [{ ...BASE, LETHE_OIDC_JWKS_URL: 'http://idp.example.test/certs' }, 'LETHE_OIDC_JWKS_URL: must be an https:// URL'],
    [{ ...BASE, LETHE_OIDC_JWKS_URL: 'https://svc:pw@x/certs' }, 'LETHE_OIDC_JWKS_URL: must not carry credentials (user:password@ before the host: a URL ends up in logs)'],
    [{ ...BASE, LETHE_OIDC_ISSUER: 'https://svc:pw@login.example.test', LETHE_OIDC_JWKS_URL: 'https://x/certs' }, 'LETHE_OIDC_ISSUER: must not carry credentials'],
    [{ ...BASE, LETHE_OIDC_JWKS_URL: 'https://x/certs', LETHE_OIDC_ALGORITHMS: 'RS256,HS256' }, 'LETHE_OIDC_ALGORITHMS: must be a comma-separated list'],
    [{ ...BASE, LETHE_OIDC_JWKS_URL: 'https://x/certs', LETHE_OIDC_ALGORITHMS: 'none' }, 'LETHE_OIDC_ALGORITHMS: must be a comma-separated list'],
    [{ ...BASE, LETHE_OIDC_JWKS_URL: 'https://x/certs', LETHE_OIDC_CLOCK_TOLERANCE_SECONDS: '3600' }, 'LETHE_OIDC_CLOCK_TOLERANCE_SECONDS: must be a whole number'],
    [{ ...BASE, LETHE_OIDC_JWKS_URL: 'https://x/certs', LETHE_OIDC_ROLES_CLAIM: 'a..b' }, 'LETHE_OIDC_ROLES_CLAIM: must be a claim name'],
  ])('refuses %j naming the setting and the rule', (env, expected) => {
    expect(problemsOf(env as Record<string, string>).join('\n')).toContain(expected);
  });
});
