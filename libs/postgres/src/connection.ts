// How the engine reaches PostgreSQL: a connection URL plus TLS settings, made into the pg client
// settings every pool and direct connection uses. TLS follows libpq's `sslmode` meanings, because
// managed servers document their URLs that way (node-pg alone treats `require` as `verify-full`):
//
//   (none), disable  plain TCP
//   require          encrypted; the certificate is checked only when a CA file is given (as libpq does
//                    when a root certificate exists)
//   verify-ca        encrypted; the certificate must chain to the CA (LETHE_DATABASE_CA_FILE, else the
//                    system's trusted CAs); any host name
//   verify-full      as verify-ca, and the certificate must name the host in the URL
//
// `allow` and `prefer` are refused: they fall back to plain text without telling. The CA comes from
// one setting, LETHE_DATABASE_CA_FILE, so the TLS parameters are taken out of the URL (node-pg would
// otherwise let the URL's own reading of them override these settings).
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type pg from 'pg';

export const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** Client certificates and CA paths in the URL are not read: one place says which CA is trusted. */
const REFUSED_URL_PARAMETERS = ['sslrootcert', 'sslcert', 'sslkey', 'sslpassword', 'sslcrl'] as const;
/** Parameters node-pg reads for TLS that this module decides instead. */
const TLS_URL_PARAMETERS = ['sslmode', 'ssl', 'uselibpqcompat', ...REFUSED_URL_PARAMETERS] as const;

export interface ConnectionSettings {
  /** The URL as given. It may carry a password: never log it. */
  readonly url: string;
  /** Which setting the URL came from, for messages (e.g. `DATABASE_URL`). */
  readonly setting: string;
  /** Path of a PEM file of trusted CAs, and the setting that named it. */
  readonly caFile?: { readonly path: string; readonly setting: string };
}

export interface PostgresConnection {
  /** The pg settings (connection string without TLS parameters, plus `ssl`). Carries the password. */
  readonly client: pg.ClientConfig & { readonly connectionString: string };
  readonly sslMode: SslMode;
  /** Which setting the URL came from, for messages. */
  readonly setting: string;
  /** The CA file's setting, when one was given. */
  readonly caSetting: string | undefined;
}

/** A database setting that cannot work; the message names the setting and the rule. */
export class DatabaseSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseSettingError';
  }
}

/**
 * The pg client settings for a URL and optional CA file.
 * @throws DatabaseSettingError for an unknown or refused `sslmode`, TLS file parameters in the URL, or
 *   an unreadable CA file.
 */
export function postgresConnection(settings: ConnectionSettings): PostgresConnection {
  let url: URL | undefined;
  try {
    url = new URL(settings.url);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')) {
    throw new DatabaseSettingError(`${settings.setting}: must be a postgres:// or postgresql:// URL`);
  }
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    throw new DatabaseSettingError(`${settings.setting}: the user name or password is not correctly percent-encoded (write % as %25)`);
  }
  const given = url.searchParams.get('sslmode') ?? 'disable';
  if (given === 'allow' || given === 'prefer') {
    throw new DatabaseSettingError(
      `${settings.setting}: sslmode=${given} is not supported (it falls back to an unencrypted connection without telling); use disable, require, verify-ca or verify-full`,
    );
  }
  if (!(SSL_MODES as readonly string[]).includes(given)) {
    throw new DatabaseSettingError(`${settings.setting}: sslmode must be one of ${SSL_MODES.join(', ')}`);
  }
  const sslMode = given as SslMode;
  for (const name of REFUSED_URL_PARAMETERS) {
    if (url.searchParams.has(name)) {
      throw new DatabaseSettingError(
        `${settings.setting}: the ${name} parameter is not read; give the CA's PEM file in LETHE_DATABASE_CA_FILE (client certificates are not supported)`,
      );
    }
  }
  for (const name of TLS_URL_PARAMETERS) url.searchParams.delete(name);
  const ca = settings.caFile ? readCa(settings.caFile) : undefined;
  return {
    client: { connectionString: url.toString(), ssl: tlsOptions(sslMode, ca) },
    sslMode,
    setting: settings.setting,
    caSetting: settings.caFile?.setting,
  };
}

function tlsOptions(mode: SslMode, ca: string | undefined): false | ConnectionOptions {
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      return ca === undefined ? { rejectUnauthorized: false } : { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-ca':
      return { ...(ca === undefined ? {} : { ca }), rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ...(ca === undefined ? {} : { ca }), rejectUnauthorized: true };
  }
}

function readCa(file: { path: string; setting: string }): string {
  let pem: string;
  try {
    pem = readFileSync(file.path, 'utf8');
  } catch (error) {
    throw new DatabaseSettingError(`${file.setting}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new DatabaseSettingError(`${file.setting}: must be a PEM file of one or more CA certificates`);
  }
  return pem;
}
