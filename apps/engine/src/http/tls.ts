// TLS when a certificate is configured (ARCHITECTURE.md §6): LETHE_TLS_CERT_FILE and
// LETHE_TLS_KEY_FILE name PEM files; both or neither. The result goes to NestFactory.create as
// `httpsOptions`. Errors name the setting, never the file's content. TLS 1.2 is the floor, set here
// rather than left to Node's default, which `--tls-min-v1.0` or `tls.DEFAULT_MIN_VERSION` can lower.
import { readFile } from 'node:fs/promises';
import type { SecureContextOptions } from 'node:tls';
import type { NestApplicationOptions } from '@nestjs/common';
import { ConfigError } from '../config/engine-config.js';

// Nest hands these to https.createServer as they are; its type just does not list `minVersion`.
export type HttpsOptions = NonNullable<NestApplicationOptions['httpsOptions']> & Pick<SecureContextOptions, 'minVersion'>;

export interface TlsSettings {
  /** LETHE_TLS_CERT_FILE: PEM certificate (chain) file. */
  readonly certFile?: string;
  /** LETHE_TLS_KEY_FILE: PEM private key file. */
  readonly keyFile?: string;
}

/** A ConfigError, so the engine can refuse to start with exit code 2 naming the setting. */
export class TlsConfigError extends ConfigError {
  constructor(problem: string) {
    super([problem]);
    this.name = 'TlsConfigError';
  }
}

/** The oldest protocol the engine accepts: older clients get a `protocol_version` alert. */
const TLS_MIN_VERSION = 'TLSv1.2';

/** `{cert, key, minVersion: 'TLSv1.2'}`; `undefined` when neither file is set (plain HTTP). */
export async function loadHttpsOptions(settings: TlsSettings): Promise<HttpsOptions | undefined> {
  const { certFile, keyFile } = settings;
  if (!certFile && !keyFile) return undefined;
  if (!certFile) throw new TlsConfigError('LETHE_TLS_CERT_FILE: must be set when LETHE_TLS_KEY_FILE is');
  if (!keyFile) throw new TlsConfigError('LETHE_TLS_KEY_FILE: must be set when LETHE_TLS_CERT_FILE is');
  const read = async (path: string, setting: string) => {
    try {
      return await readFile(path);
    } catch (error) {
      throw new TlsConfigError(`${setting}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  };
  const [cert, key] = await Promise.all([read(certFile, 'LETHE_TLS_CERT_FILE'), read(keyFile, 'LETHE_TLS_KEY_FILE')]);
  return { cert, key, minVersion: TLS_MIN_VERSION };
}
