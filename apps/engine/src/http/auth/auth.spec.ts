import { API_ROLES, type ApiRole } from '../../config/engine-config.js';
import { BearerAuthenticator } from './bearer-authenticator.js';
import { roleAllows } from './roles.js';

describe('roleAllows', () => {
  const allowed: Record<ApiRole, ApiRole[]> = {
    admin: ['admin', 'operator', 'ops-reader', 'contract-system'],
    operator: ['operator', 'ops-reader'],
    'ops-reader': ['ops-reader'],
    'contract-system': ['contract-system'],
  };
  it.each(API_ROLES.flatMap((caller) => API_ROLES.map((route) => [caller, route] as const)))('%s on a %s route', (caller, route) => {
    expect(roleAllows(caller, [route])).toBe(allowed[caller].includes(route));
  });

  it('passes when any of several roles is held', () => {
    expect(roleAllows('contract-system', ['ops-reader', 'contract-system'])).toBe(true);
    expect(roleAllows('ops-reader', ['operator', 'contract-system'])).toBe(false);
  });
});

describe('BearerAuthenticator', () => {
  const auth = new BearerAuthenticator([
    { role: 'ops-reader', token: 'reader-token-0123456789' },
    { role: 'admin', token: 'admin:token/with+odd=chars~' },
  ]);

  it('finds the role of a configured token', () => {
    expect(auth.authenticate('Bearer reader-token-0123456789')).toEqual({ outcome: 'authenticated', role: 'ops-reader' });
    expect(auth.authenticate('BEARER   admin:token/with+odd=chars~')).toEqual({ outcome: 'authenticated', role: 'admin' });
  });

  it('tells missing, malformed and unknown apart', () => {
    expect(auth.authenticate(undefined)).toEqual({ outcome: 'missing' });
    expect(auth.authenticate('')).toEqual({ outcome: 'missing' });
    expect(auth.authenticate('Token reader-token-0123456789')).toEqual({ outcome: 'malformed' });
    expect(auth.authenticate('Bearer ')).toEqual({ outcome: 'malformed' });
    expect(auth.authenticate('Bearer a b')).toEqual({ outcome: 'malformed' });
    expect(auth.authenticate(['Bearer reader-token-0123456789'])).toEqual({ outcome: 'malformed' });
    expect(auth.authenticate('Bearer reader-token-012345678')).toEqual({ outcome: 'unknown' });
    expect(auth.authenticate('Bearer reader-token-0123456789 ')).toEqual({ outcome: 'authenticated', role: 'ops-reader' });
  });

  it('knows no token when none is configured', () => {
    expect(new BearerAuthenticator([]).authenticate('Bearer reader-token-0123456789')).toEqual({ outcome: 'unknown' });
  });
});
