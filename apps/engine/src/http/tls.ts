// TLS when a certificate is configured (ARCHITECTURE.md §6): LETHE_TLS_CERT_FILE and
// LETHE_TLS_KEY_FILE name PEM files; both or neither. The result goes to NestFactory.create as
// `httpsOptions`. Errors name the setting, never the file's content.
import { readFile } from 'node:fs/promises';
import type { NestApplicationOptions } from '@nestjs/common';
import { ConfigError } from '../config/engine-config.js';

export type HttpsOptions = NonNullable<NestApplicationOptions['httpsOptions']>;

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

/** `undefined` when neither file is set (plain HTTP). */
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
  return { cert, key };
}
