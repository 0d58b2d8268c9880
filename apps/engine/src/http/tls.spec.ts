import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../config/engine-config.js';
import { TlsConfigError, loadHttpsOptions } from './tls.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lethe-tls-'));
  await writeFile(join(dir, 'cert.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  await writeFile(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nBBBB\n-----END PRIVATE KEY-----\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadHttpsOptions', () => {
  it('is undefined (plain HTTP) when no file is set', async () => {
    await expect(loadHttpsOptions({})).resolves.toBeUndefined();
    await expect(loadHttpsOptions({ certFile: '', keyFile: '' })).resolves.toBeUndefined();
  });

  it('reads the certificate and the key, and accepts TLS 1.2 and later only', async () => {
    const options = await loadHttpsOptions({ certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') });
    expect(options?.cert?.toString()).toContain('BEGIN CERTIFICATE');
    expect(options?.key?.toString()).toContain('BEGIN PRIVATE KEY');
    expect(options?.minVersion).toBe('TLSv1.2');
  });

  it('needs both files', async () => {
    await expect(loadHttpsOptions({ certFile: join(dir, 'cert.pem') })).rejects.toThrow('LETHE_TLS_KEY_FILE: must be set when LETHE_TLS_CERT_FILE is');
    await expect(loadHttpsOptions({ keyFile: join(dir, 'key.pem') })).rejects.toThrow(TlsConfigError);
  });

  it('names the setting whose file cannot be read, without its content', async () => {
    const error = await loadHttpsOptions({ certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'missing.pem') }).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(TlsConfigError);
    expect((error as TlsConfigError).problems).toEqual([`LETHE_TLS_KEY_FILE: cannot read ${join(dir, 'missing.pem')} (ENOENT)`]);
    expect(error).toBeInstanceOf(ConfigError);
  });
});
