// How a database URL and CA file become pg client settings: libpq's sslmode meanings, refused modes
// and parameters named with their setting, TLS parameters taken out of the URL, the CA file read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { DatabaseSettingError, postgresConnection, type ConnectionSettings } from './connection.js';

const BASE = 'postgres://lethe:s3cret@db.example:5432/lethe';
// readCa checks the PEM shape only; the certificate itself is TLS's to judge.
const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';

let dir: string;
let caPath: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lethe-connection-'));
  caPath = join(dir, 'ca.pem');
  writeFileSync(caPath, CA_PEM);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function ssl(url: string, withCa = false): ConnectionOptions | false {
  const settings: ConnectionSettings = {
    url,
    setting: 'DATABASE_URL',
    ...(withCa ? { caFile: { path: caPath, setting: 'LETHE_DATABASE_CA_FILE' } } : {}),
  };
  return postgresConnection(settings).client.ssl as ConnectionOptions | false;
}

function refusal(settings: ConnectionSettings): DatabaseSettingError {
  try {
    postgresConnection(settings);
  } catch (error) {
    expect(error).toBeInstanceOf(DatabaseSettingError);
    return error as DatabaseSettingError;
  }
  throw new Error('expected postgresConnection to refuse the settings');
}

describe('sslmode → TLS options', () => {
  it('given no sslmode, when connecting, then the connection is plain (ssl false) and the mode is disable', () => {
    const connection = postgresConnection({ url: BASE, setting: 'DATABASE_URL' });
    expect(connection.client.ssl).toBe(false);
    expect(connection.sslMode).toBe('disable');
  });

  it('given sslmode=disable, then the connection is plain, even with a CA file', () => {
    expect(ssl(`${BASE}?sslmode=disable`)).toBe(false);
    expect(ssl(`${BASE}?sslmode=disable`, true)).toBe(false);
  });

  it('given sslmode=require without a CA file, then TLS is on and the certificate is not checked', () => {
    expect(ssl(`${BASE}?sslmode=require`)).toEqual({ rejectUnauthorized: false });
  });

  it('given sslmode=require with a CA file, then the chain must verify against that CA, for any host name', () => {
    const options = ssl(`${BASE}?sslmode=require`, true) as ConnectionOptions;
    expect(options).toMatchObject({ ca: CA_PEM, rejectUnauthorized: true });
    expect(options.checkServerIdentity?.('other.example', {} as never)).toBeUndefined();
  });

  it('given sslmode=verify-ca without a CA file, then the chain must verify against the system CAs, for any host name', () => {
    const options = ssl(`${BASE}?sslmode=verify-ca`) as ConnectionOptions;
    expect(options.rejectUnauthorized).toBe(true);
    expect(options).not.toHaveProperty('ca');
    expect(options.checkServerIdentity?.('other.example', {} as never)).toBeUndefined();
  });

  it('given sslmode=verify-ca with a CA file, then the chain must verify against that CA, for any host name', () => {
    const options = ssl(`${BASE}?sslmode=verify-ca`, true) as ConnectionOptions;
    expect(options).toMatchObject({ ca: CA_PEM, rejectUnauthorized: true });
    expect(options.checkServerIdentity?.('other.example', {} as never)).toBeUndefined();
  });

  it("given sslmode=verify-full, then the chain must verify and the host name is checked by TLS's own check", () => {
    expect(ssl(`${BASE}?sslmode=verify-full`)).toEqual({ rejectUnauthorized: true });
    expect(ssl(`${BASE}?sslmode=verify-full`, true)).toEqual({ ca: CA_PEM, rejectUnauthorized: true });
  });

  it('given a postgresql:// URL, then it is read the same way', () => {
    expect(ssl('postgresql://lethe@db.example/lethe?sslmode=verify-full', true)).toEqual({ ca: CA_PEM, rejectUnauthorized: true });
  });

  it('reports the mode, the setting and the CA setting for messages', () => {
    const connection = postgresConnection({ url: `${BASE}?sslmode=verify-ca`, setting: 'LETHE_DIRECT_DATABASE_URL', caFile: { path: caPath, setting: 'LETHE_DATABASE_CA_FILE' } });
    expect(connection).toMatchObject({ sslMode: 'verify-ca', setting: 'LETHE_DIRECT_DATABASE_URL', caSetting: 'LETHE_DATABASE_CA_FILE' });
    expect(postgresConnection({ url: BASE, setting: 'DATABASE_URL' }).caSetting).toBeUndefined();
  });
});

describe('refused settings', () => {
  it.each(['allow', 'prefer'])('given sslmode=%s, then it is refused, naming the setting and that it falls back to plain text', (mode) => {
    const error = refusal({ url: `${BASE}?sslmode=${mode}`, setting: 'DATABASE_URL' });
    expect(error.message).toMatch(new RegExp(`^DATABASE_URL: sslmode=${mode} is not supported`));
    expect(error.message).toContain('unencrypted');
    expect(error.message).toContain('disable, require, verify-ca or verify-full');
  });

  it('given an unknown sslmode, then it is refused, naming the setting and the modes it takes', () => {
    const error = refusal({ url: `${BASE}?sslmode=strict`, setting: 'LETHE_DIRECT_DATABASE_URL' });
    expect(error.message).toBe('LETHE_DIRECT_DATABASE_URL: sslmode must be one of disable, require, verify-ca, verify-full');
  });

  it.each(['sslrootcert', 'sslcert', 'sslkey', 'sslpassword', 'sslcrl'])(
    'given %s in the URL, then it is refused, pointing to LETHE_DATABASE_CA_FILE',
    (parameter) => {
      const error = refusal({ url: `${BASE}?sslmode=verify-full&${parameter}=/etc/x.pem`, setting: 'DATABASE_URL' });
      expect(error.message).toMatch(new RegExp(`^DATABASE_URL: the ${parameter} parameter is not read`));
      expect(error.message).toContain('LETHE_DATABASE_CA_FILE');
    },
  );

  it.each(['db.example:5432', 'lethe:s3cret at db', 'mysql://lethe:s3cret@db.example/lethe'])(
    'given %s, which is no postgres:// URL, then it is refused, naming the setting, without echoing the value',
    (url) => {
      const error = refusal({ url, setting: 'DATABASE_URL' });
      expect(error.message).toBe('DATABASE_URL: must be a postgres:// or postgresql:// URL');
    },
  );

  it('never puts the password in a message', () => {
    for (const url of [`${BASE}?sslmode=prefer`, `${BASE}?sslmode=strict`, `${BASE}?sslkey=k`]) {
      expect(refusal({ url, setting: 'DATABASE_URL' }).message).not.toContain('s3cret');
    }
  });
});

describe('the connection string', () => {
  it('given TLS parameters in the URL, then they are taken out, so pg cannot read them over these settings', () => {
    const { client } = postgresConnection({ url: `${BASE}?sslmode=verify-full&ssl=true&uselibpqcompat=true`, setting: 'DATABASE_URL' });
    const url = new URL(client.connectionString);
    expect([...url.searchParams.keys()]).toEqual([]);
    expect(`${url.protocol}//${url.username}:${url.password}@${url.host}${url.pathname}`).toBe(BASE);
  });

  it('given other parameters, then they are kept as given, in order', () => {
    const { client } = postgresConnection({
      url: `${BASE}?application_name=lethe&sslmode=require&options=-c%20statement_timeout%3D5000&connect_timeout=10`,
      setting: 'DATABASE_URL',
    });
    const url = new URL(client.connectionString);
    expect([...url.searchParams.entries()]).toEqual([
      ['application_name', 'lethe'],
      ['options', '-c statement_timeout=5000'],
      ['connect_timeout', '10'],
    ]);
  });
});

describe('the CA file', () => {
  it('given a file that cannot be read, then it is refused, naming its setting and the reason, not the path', () => {
    const missing = join(dir, 'missing.pem');
    const error = refusal({ url: `${BASE}?sslmode=verify-full`, setting: 'DATABASE_URL', caFile: { path: missing, setting: 'LETHE_DATABASE_CA_FILE' } });
    expect(error.message).toBe('LETHE_DATABASE_CA_FILE: cannot read the file (ENOENT)');
  });

  it('given a folder, then it is refused as unreadable', () => {
    const error = refusal({ url: `${BASE}?sslmode=verify-full`, setting: 'DATABASE_URL', caFile: { path: dir, setting: 'LETHE_DATABASE_CA_FILE' } });
    expect(error.message).toBe('LETHE_DATABASE_CA_FILE: cannot read the file (EISDIR)');
  });

  it('given a file that holds no PEM certificate, then it is refused, naming its setting and the expected content', () => {
    const der = join(dir, 'ca.der');
    writeFileSync(der, Buffer.from([0x30, 0x82, 0x01, 0x0a, 0x02, 0x82]));
    const key = join(dir, 'key.pem');
    writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n');
    for (const path of [der, key]) {
      const error = refusal({ url: `${BASE}?sslmode=verify-ca`, setting: 'DATABASE_URL', caFile: { path, setting: 'LETHE_DATABASE_CA_FILE' } });
      expect(error.message).toBe('LETHE_DATABASE_CA_FILE: must be a PEM file of one or more CA certificates');
    }
  });
});

describe('postgresConnection, percent-encoding', () => {
  it('given a password with a bare %, when read, then it is a setting error naming the setting and the rule', () => {
    expect(() => postgresConnection({ url: 'postgres://lethe:50%zz@db.internal/lethe', setting: 'DATABASE_URL' })).toThrow(
      'DATABASE_URL: the user name or password is not correctly percent-encoded (write % as %25)',
    );
  });
});
