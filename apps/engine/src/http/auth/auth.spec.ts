import { API_ROLES, type ApiRole } from '../../config/engine-config.js';
import { BearerAuthenticator } from './bearer-authenticator.js';
import { roleAllows } from './roles.js';

describe('roleAllows', () => {
  const allowed: Record<ApiRole, ApiRole[]> = {
    admin: ['admin', 'operator', 'ops-reader', 'contract-system'],
    operator: ['operator', 'ops-reader'],
    'ops-reader': ['ops-reader'],
    'contract-system': ['contract-system'],
    approver: ['approver'],
  };
  it.each(API_ROLES.flatMap((caller) => API_ROLES.map((route) => [caller, route] as const)))('%s on a %s route', (caller, route) => {
    expect(roleAllows(caller, [route])).toBe(allowed[caller].includes(route));
  });

  it('passes when any of several roles is held', () => {
    expect(roleAllows('contract-system', ['ops-reader', 'contract-system'])).toBe(true);
    expect(roleAllows('ops-reader', ['operator', 'contract-system'])).toBe(false);
    expect(roleAllows(['ops-reader', 'approver'], ['approver'])).toBe(true);
    expect(roleAllows([], ['ops-reader'])).toBe(false);
  });
});

describe('BearerAuthenticator', () => {
  const auth = new BearerAuthenticator([
    { role: 'ops-reader', subject: 'dashboards', token: 'reader-token-0123456789' },
    { role: 'admin', subject: 'admin', token: 'admin:token/with+odd=chars~' },
  ]);

  it('finds the role and subject of a configured token', async () => {
    expect(await auth.authenticate('Bearer reader-token-0123456789')).toEqual({ outcome: 'authenticated', subject: 'dashboards', roles: ['ops-reader'], via: 'token' });
    expect(await auth.authenticate('BEARER   admin:token/with+odd=chars~')).toEqual({ outcome: 'authenticated', subject: 'admin', roles: ['admin'], via: 'token' });
  });

  it('tells missing, malformed and unknown apart', async () => {
    expect(await auth.authenticate(undefined)).toEqual({ outcome: 'missing' });
    expect(await auth.authenticate('')).toEqual({ outcome: 'missing' });
    expect(await auth.authenticate('Token reader-token-0123456789')).toEqual({ outcome: 'malformed' });
    expect(await auth.authenticate('Bearer ')).toEqual({ outcome: 'malformed' });
    expect(await auth.authenticate('Bearer a b')).toEqual({ outcome: 'malformed' });
    expect(await auth.authenticate(['Bearer reader-token-0123456789'])).toEqual({ outcome: 'malformed' });
    expect(await auth.authenticate('Bearer reader-token-012345678')).toEqual({ outcome: 'unknown' });
    expect(await auth.authenticate('Bearer reader-token-0123456789 ')).toEqual({ outcome: 'authenticated', subject: 'dashboards', roles: ['ops-reader'], via: 'token' });
  });

  it('knows no token when none is configured', async () => {
    expect(await new BearerAuthenticator([]).authenticate('Bearer reader-token-0123456789')).toEqual({ outcome: 'unknown' });
  });
});
