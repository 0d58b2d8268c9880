// The boot checks' pure parts: which server versions are refused, and how a TLS failure while
// connecting becomes a message naming the setting to change.
import { DatabaseSettingError, postgresConnection, type PostgresConnection } from './connection.js';
import { CERTIFICATE_CODES, MIN_SERVER_VERSION, explainConnectError, requireSupportedVersion } from './server-checks.js';

const URL_WITH_PASSWORD = 'postgres://lethe:s3cret@db.example:5432/lethe';

function connection(sslmode: string, caSetting?: string): PostgresConnection {
  const made = postgresConnection({ url: `${URL_WITH_PASSWORD}?sslmode=${sslmode}`, setting: 'DATABASE_URL' });
  return { ...made, caSetting };
}

function failure(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('requireSupportedVersion', () => {
  it('given PostgreSQL 12.x, when checked, then it is refused, naming the setting, the version found and 13', () => {
    let error: unknown;
    try {
      requireSupportedVersion({ num: 120022, text: '12.22 (Debian 12.22-1)' }, 'DATABASE_URL');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DatabaseSettingError);
    const message = (error as Error).message;
    expect(message).toMatch(/^DATABASE_URL: /);
    expect(message).toContain('PostgreSQL 12.22 (Debian 12.22-1) found');
    expect(message).toContain('PostgreSQL 13 or newer');
    expect(message).toContain('xid8');
  });

  it('given the last release before 13, when checked, then it is refused', () => {
    expect(() => requireSupportedVersion({ num: 129999, text: '12.99' }, 'DATABASE_URL')).toThrow(DatabaseSettingError);
  });

  it('given PostgreSQL 13.0 or 18, when checked, then it is accepted', () => {
    expect(MIN_SERVER_VERSION.num).toBe(130000);
    expect(() => requireSupportedVersion({ num: 130000, text: '13.0' }, 'DATABASE_URL')).not.toThrow();
    expect(() => requireSupportedVersion({ num: 180001, text: '18.1' }, 'DATABASE_URL')).not.toThrow();
  });
});

describe('explainConnectError', () => {

  it.each([...CERTIFICATE_CODES])(
    'given a refused certificate (%s), when explained, then it is a setting error naming the URL setting, the mode and LETHE_DATABASE_CA_FILE',
    (code) => {
      const explained = explainConnectError(failure(`certificate problem ${code}`, code), connection('verify-full', 'LETHE_DATABASE_CA_FILE'));
      expect(explained).toBeInstanceOf(DatabaseSettingError);
      expect((explained as Error).message).toBe(
        `DATABASE_URL: the database server's certificate was refused (${code}, sslmode=verify-full); LETHE_DATABASE_CA_FILE must name the PEM file of the CA that signed it`,
      );
    },
  );

  it('given a refused certificate and no CA file set, when explained, then the message still points to LETHE_DATABASE_CA_FILE', () => {
    const explained = explainConnectError(failure('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'), connection('verify-ca'));
    expect((explained as Error).message).toContain('sslmode=verify-ca); LETHE_DATABASE_CA_FILE must name');
  });

  it('given a certificate that does not name the host (ERR_TLS_CERT_ALTNAME_INVALID), when explained, then the message says so, naming the setting', () => {
    const explained = explainConnectError(
      failure("Hostname/IP does not match certificate's altnames: Host: db.example. is not in the cert's altnames: DNS:other", 'ERR_TLS_CERT_ALTNAME_INVALID'),
      connection('verify-full', 'LETHE_DATABASE_CA_FILE'),
    );
    expect(explained).toBeInstanceOf(DatabaseSettingError);
    expect((explained as Error).message).toBe(
      "DATABASE_URL: the database server's certificate does not name the host in the URL (sslmode=verify-full); connect by a name the certificate carries",
    );
  });

  it('given a server without TLS ("The server does not support SSL connections"), when explained, then it is a setting error naming the mode', () => {
    const explained = explainConnectError(failure('The server does not support SSL connections'), connection('require'));
    expect(explained).toBeInstanceOf(DatabaseSettingError);
    expect((explained as Error).message).toBe('DATABASE_URL: sslmode=require, but the server does not accept TLS connections');
  });

  it('given a privilege the role lacks (SQLSTATE 42501), when explained, then it is a setting error naming the setting, what was denied and what the role needs', () => {
    const denied = Object.assign(failure('permission denied for schema public'), { code: '42501' });
    const explained = explainConnectError(denied, connection('verify-full', 'LETHE_DATABASE_CA_FILE'));
    expect(explained).toBeInstanceOf(DatabaseSettingError);
    expect((explained as Error).message).toBe(
      "DATABASE_URL: the URL's role lacks a privilege Lethe needs (permission denied for schema public); the role must own the database, or have CREATE on its schema, and own the tables Lethe created (see docs/postgresql.md)",
    );
  });

  it.each([
    ['a database that does not exist', '3D000', 'DATABASE_URL: the database in the URL does not exist (database "nope" does not exist)'],
    ['a refused role', '28000', 'DATABASE_URL: the server refuses this role or connection (pg_hba.conf, or the role does not exist) (role "nope" does not exist)'],
    ['a refused password', '28P01', 'DATABASE_URL: the password in the URL was refused (password authentication failed for user "lethe")'],
  ])('given %s (%s), when explained, then it is a setting error naming the URL setting', (_what, code, message) => {
    const server = { '3D000': 'database "nope" does not exist', '28000': 'role "nope" does not exist', '28P01': 'password authentication failed for user "lethe"' }[code]!;
    const explained = explainConnectError(Object.assign(failure(server), { code }), connection('require'));
    expect(explained).toBeInstanceOf(DatabaseSettingError);
    expect((explained as Error).message).toBe(message);
  });

  it('given an unreachable server, when explained, then it names the URL setting but is no setting error (the server may be starting)', () => {
    const explained = explainConnectError(failure('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), connection('require'));
    expect(explained).not.toBeInstanceOf(DatabaseSettingError);
    expect((explained as Error).message).toBe('DATABASE_URL: cannot reach the database server (ECONNREFUSED)');
  });

  it.each([
    ['a TLS alert that is no certificate verdict', failure('tlsv1 alert protocol version', 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION')],
    ['an error without a code', failure('Connection terminated unexpectedly')],
  ])('given %s, when explained, then it passes through unchanged', (_what, error) => {
    expect(explainConnectError(error, connection('verify-full', 'LETHE_DATABASE_CA_FILE'))).toBe(error);
  });

  it('given something thrown that is no Error, when explained, then it passes through unchanged', () => {
    expect(explainConnectError('boom', connection('require'))).toBe('boom');
    expect(explainConnectError(undefined, connection('require'))).toBeUndefined();
  });

  it('never puts the password in a message', () => {
    for (const error of [failure('x', 'CERT_HAS_EXPIRED'), failure('x', 'ERR_TLS_CERT_ALTNAME_INVALID'), failure('The server does not support SSL connections')]) {
      expect((explainConnectError(error, connection('verify-full')) as Error).message).not.toContain('s3cret');
    }
  });
});
