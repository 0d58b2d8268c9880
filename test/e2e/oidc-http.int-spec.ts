/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read JSON answers field by field */
// OIDC bearer tokens end to end (issue 16): keys generated here, the JWKS served to the engine from a
// file and from a URL this test serves over real HTTP; the engine on the manual clock checks the
// signature, the algorithm, iss, aud, exp and nbf, takes the roles from the configured claim and
// records the token's sub in the events a call causes. Every refusal is a 401 that names no reason
// beyond "not valid" (the log says which check failed, never the token).
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { startInProcessEngine, type InProcessEngine } from '../support/in-process-engine.js';

const T0 = '2027-03-01T09:00:00.000Z';
const NOW = Date.parse(T0) / 1000;
const ISSUER = 'https://login.example.test/realms/lethe';
const AUDIENCE = 'lethe-api';

interface Signer {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

async function signer(alg: 'RS256' | 'ES256' | 'EdDSA', kid: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, alg === 'EdDSA' ? { crv: 'Ed25519' } : {});
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

async function token(s: Signer, claims: Record<string, unknown> = {}, options: { iat?: number; exp?: number; nbf?: number; iss?: string; aud?: string } = {}): Promise<string> {
  const jwt = new SignJWT({ roles: ['operator'], ...claims })
    .setProtectedHeader({ alg: s.alg, kid: s.kid, typ: 'JWT' })
    .setSubject((claims.sub as string | undefined) ?? 'u-7f3a')
    .setIssuer(options.iss ?? ISSUER)
    .setAudience(options.aud ?? AUDIENCE)
    .setIssuedAt(options.iat ?? NOW)
    .setExpirationTime(options.exp ?? NOW + 600);
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(s.privateKey);
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const claims = (extra: Record<string, unknown> = {}) => ({ sub: 'u-7f3a', iss: ISSUER, aud: AUDIENCE, iat: NOW, exp: NOW + 600, roles: ['admin'], ...extra });

let rsa: Signer;
let ec: Signer;
let ed: Signer;
let stranger: Signer;

beforeAll(async () => {
  rsa = await signer('RS256', 'rsa-1');
  ec = await signer('ES256', 'ec-1');
  ed = await signer('EdDSA', 'ed-1');
  stranger = await signer('RS256', 'not-published');
});

describe('with the JWKS in a file (air-gapped)', () => {
  let e: InProcessEngine;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lethe-oidc-'));
    const file = join(dir, 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [rsa.publicJwk, ec.publicJwk, ed.publicJwk] }));
    e = await startInProcessEngine(T0, {
      LETHE_OIDC_ISSUER: ISSUER,
      LETHE_OIDC_AUDIENCE: AUDIENCE,
      LETHE_OIDC_JWKS_FILE: file,
      LETHE_OIDC_ROLES_CLAIM: 'realm_access.roles',
      LETHE_OIDC_CLOCK_TOLERANCE_SECONDS: '30',
    });
  }, 60_000);
  afterAll(async () => {
    await e?.stop();
  });

  const nested = (roles: string[]) => ({ realm_access: { roles } });

  it('accepts a token of the issuer signed with any published key, with the roles of the claim', async () => {
    for (const s of [rsa, ec, ed]) {
      const res = await e.api('GET', '/v1/tenants', await token(s, nested(['ops-reader', 'offline_access'])));
      expect(res.status).toBe(200);
    }
    // A role it does not hold: 403, not 401.
    const refused = await e.api('POST', '/v1/tenants/acme/keys/rotate', await token(rsa, nested(['ops-reader'])));
    expect(refused.status).toBe(403);
    // No Lethe role at all.
    expect((await e.api('GET', '/v1/tenants', await token(rsa, nested(['offline_access'])))).status).toBe(403);
    // The static tokens keep working beside it.
    expect((await e.api('GET', '/v1/tenants', e.tokens['ops-reader'])).status).toBe(200);
  });

  it("records the token's sub, never the token, in the events its calls cause", async () => {
    const jwt = await token(ec, { sub: 'auth0|5f1e2d', ...nested(['operator']) });
    const onboarded = await e.api('POST', '/v1/tenants', jwt, { tenantId: 'oidc-1', jurisdiction: 'DE', keyCustody: 'managed', backupKeyMode: 'customer', databases: [{ databaseId: 'db-1' }] });
    expect(onboarded.status).toBe(201);
    const rows = (await e.pool.query<{ metadata: any; m: string }>("select metadata, metadata::text as m from lethe_events where stream_id = 'tenant-oidc-1' and event_type = 'TenantOnboarded'")).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0].metadata.subject).toBe('auth0|5f1e2d');
    expect(rows[0].m).not.toContain(jwt.split('.')[2]);
  });

  it.each([
    ['expired', async () => token(rsa, nested(['admin']), { iat: NOW - 3600, exp: NOW - 60 })],
    ['not yet valid', async () => token(rsa, nested(['admin']), { nbf: NOW + 120 })],
    ['for another audience', async () => token(rsa, nested(['admin']), { aud: 'another-api' })],
    ['of another issuer', async () => token(rsa, nested(['admin']), { iss: 'https://evil.example.test' })],
    ['signed with a key the JWKS does not publish (unknown kid)', async () => token(stranger, nested(['admin']))],
    ['signed by an unpublished key under a published kid', async () => token({ ...stranger, kid: rsa.kid }, nested(['admin']))],
    ['unsigned (alg none)', async () => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims(nested(['admin'])))}.`],
    [
      'HS256 with the public key as its secret',
      async () => {
        const input = `${b64url({ alg: 'HS256', kid: rsa.kid, typ: 'JWT' })}.${b64url(claims(nested(['admin'])))}`;
        const secret = JSON.stringify(rsa.publicJwk);
        return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
      },
    ],
    ['tampered with after signing', async () => {
      const [h, , sig] = (await token(rsa, nested(['ops-reader']))).split('.');
      return `${h}.${b64url(claims(nested(['admin'])))}.${sig}`;
    }],
    ['random', async () => `${randomBytes(20).toString('base64url')}.${randomBytes(20).toString('base64url')}.${randomBytes(20).toString('base64url')}`],
  ])('refuses a token %s with 401', async (_what, make) => {
    const jwt = await make();
    const res = await e.api('GET', '/v1/tenants', jwt);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(e.logLines.join('\n')).not.toContain(jwt);
  });

  it('allows a small clock skew, and follows the engine clock', async () => {
    expect((await e.api('GET', '/v1/tenants', await token(rsa, nested(['ops-reader']), { exp: NOW - 10 }))).status).toBe(200);
    const later = await token(rsa, nested(['ops-reader']), { exp: NOW + 3600 });
    expect((await e.api('GET', '/v1/tenants', later)).status).toBe(200);
    expect((await e.api('POST', '/v1/admin/clock', e.tokens.admin, { now: new Date((NOW + 7200) * 1000).toISOString() })).status).toBe(200);
    expect((await e.api('GET', '/v1/tenants', later)).status).toBe(401);
  });

  it('logs why a token was refused, without the token', () => {
    const refusals = e.logLines.filter((l) => l.includes('OIDC token refused')).map((l) => JSON.parse(l));
    expect(refusals.map((r) => r.reason)).toEqual(expect.arrayContaining(['ERR_JWT_EXPIRED', 'ERR_JWT_CLAIM_VALIDATION_FAILED', 'ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED']));
  });
});

describe('with the JWKS at a URL the issuer serves', () => {
  let e: InProcessEngine;
  let server: Server;
  let fetches = 0;
  let published: JWK[] = [];
  beforeAll(async () => {
    published = [rsa.publicJwk];
    server = createServer((req, res) => {
      fetches++;
      if (req.url !== '/jwks') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    e = await startInProcessEngine(T0, {
      LETHE_OIDC_ISSUER: ISSUER,
      LETHE_OIDC_AUDIENCE: AUDIENCE,
      LETHE_OIDC_JWKS_URL: `http://127.0.0.1:${port}/jwks`,
    });
  }, 60_000);
  afterAll(async () => {
    await e?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('fetches the keys, caches them, and takes the roles from the `roles` claim by default', async () => {
    expect((await e.api('GET', '/v1/tenants', await token(rsa, { roles: ['ops-reader'] }))).status).toBe(200);
    const after = fetches;
    expect(after).toBeGreaterThanOrEqual(1);
    expect((await e.api('GET', '/v1/tenants', await token(rsa, { roles: 'ops-reader approver' }))).status).toBe(200);
    expect(fetches).toBe(after);
  });

  it('refuses an unknown kid, wrong audience and HS256 with the public key', async () => {
    expect((await e.api('GET', '/v1/tenants', await token(ec, { roles: ['ops-reader'] }))).status).toBe(401);
    expect((await e.api('GET', '/v1/tenants', await token(rsa, { roles: ['ops-reader'] }, { aud: 'x' }))).status).toBe(401);
    const input = `${b64url({ alg: 'HS256', kid: rsa.kid })}.${b64url(claims({ roles: ['ops-reader'] }))}`;
    const forged = `${input}.${createHmac('sha256', JSON.stringify(rsa.publicJwk)).update(input).digest('base64url')}`;
    expect((await e.api('GET', '/v1/tenants', forged)).status).toBe(401);
  });
});
