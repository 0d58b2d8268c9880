// `lethe <command>`: operator tasks that do not need a running engine.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../../engine/src/config/engine-config.js';
import { ENGINE_MIGRATIONS } from '../../engine/src/infrastructure/database.js';
import { runMigrations, startEmbeddedPostgres } from '@lethe/postgres';
import { join } from 'node:path';
import { verifyCertificateFile } from './certificate-verify.js';

const USAGE = `usage: lethe <command>

commands:
  migrate                                         apply the engine's migrations to DATABASE_URL
                                                  (or the embedded PostgreSQL in LETHE_DATA_DIR)
  certificate verify <file> [--public-key <pem>]  check a deletion certificate's signature; exits 0 when
                                                  valid, 1 when not (saying why), 2 on bad usage
  help                                            this text
`;

async function migrate(): Promise<number> {
  const config = loadConfig(process.env);
  let url = config.databaseUrl;
  const embedded = url === undefined ? await startEmbeddedPostgres(join(config.dataDir, 'postgres')) : undefined;
  url ??= embedded!.url;
  try {
    const applied = await runMigrations(url, ENGINE_MIGRATIONS);
    process.stdout.write(applied.length === 0 ? 'schema is up to date\n' : `applied: ${applied.join(', ')}\n`);
    return 0;
  } finally {
    await embedded?.stop();
  }
}

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { 'public-key': { type: 'string' } },
  });
  switch (positionals[0]) {
    case 'migrate':
      return migrate();
    case 'certificate':
      if (positionals[1] !== 'verify' || !positionals[2]) {
        process.stderr.write(`usage: lethe certificate verify <file> [--public-key <pem file>]\n`);
        return 2;
      }
      return verifyCertificateFile(positionals[2], typeof values['public-key'] === 'string' ? values['public-key'] : undefined);
    case undefined:
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`unknown command: ${positionals[0]}\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).message}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
