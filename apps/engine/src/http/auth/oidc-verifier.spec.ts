import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import type { OidcConfig } from '../../config/oidc-config.js';
import { loadJwks, rolesIn } from './oidc-verifier.js';

const dir = mkdtempSync(join(tmpdir(), 'lethe-jwks-'));
const config = (path: string): OidcConfig => ({ issuer: 'i', audience: 'a', jwks: { kind: 'file', path }, rolesClaim: 'roles', algorithms: ['RS256'], clockToleranceSeconds: 30 });
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('loadJwks (LETHE_OIDC_JWKS_FILE)', () => {
  it('reads a set of public keys', async () => {
    const { publicKey } = await generateKeyPair('ES256');
    await expect(loadJwks(config(file('ok.json', JSON.stringify({ keys: [await exportJWK(publicKey)] }))))).resolves.toBeInstanceOf(Function);
  });

  it.each([
    ['missing', join(dir, 'absent.json'), 'must be a readable JSON Web Key Set file (ENOENT)'],
    ['not JSON', 'garbage', 'must be a readable JSON Web Key Set file (not JSON)'],
    ['without keys', '{"keys": []}', 'must be a JSON Web Key Set'],
    ['a symmetric key', '{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}', 'must hold public keys only'],
  ])('refuses a file %s, naming the setting', async (what, content, rule) => {
    const path = what === 'missing' ? content : file(`${what}.json`, content);
    await expect(loadJwks(config(path))).rejects.toMatchObject({ problems: [expect.stringContaining(`LETHE_OIDC_JWKS_FILE: ${rule}`)] });
  });

  it('refuses a private key', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const path = file('private.json', JSON.stringify({ keys: [await exportJWK(privateKey)] }));
    await expect(loadJwks(config(path))).rejects.toMatchObject({ problems: ['LETHE_OIDC_JWKS_FILE: must hold public keys only (no private or symmetric key)'] });
  });
});

describe('rolesIn', () => {
  it("keeps Lethe's role names of an array or a space-separated string, once each", () => {
    expect(rolesIn(['operator', 'offline_access', 'operator', 7])).toEqual(['operator']);
    expect(rolesIn('approver ops-reader')).toEqual(['approver', 'ops-reader']);
    expect(rolesIn(undefined)).toEqual([]);
    expect(rolesIn({ operator: true })).toEqual([]);
  });
});
