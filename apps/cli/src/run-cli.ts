// `lethe <command>`: operator tasks that do not need a running engine (main.ts runs this and exits).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig } from '../../engine/src/config/engine-config.js';
import { ENGINE_MIGRATIONS, migrationLockWait } from '../../engine/src/infrastructure/database.js';
import { createLogger } from '../../engine/src/logging/logger.js';
import { DatabaseSettingError, explainConnectError, runMigrations } from '@lethe/postgres';
import { openCliDatabase } from './cli-database.js';
import { rebuildProjectionsCommand } from './projections-rebuild.js';
import { verifyCertificateFile } from './certificate-verify.js';
import { rotateSigningKey } from './signing-key-rotate.js';
import { MASTER_KEY_ROTATE_USAGE, newKeySource, rotateMasterKeyCommand, type NewKeySource } from './master-key-rotate.js';
import { simulate } from './simulate.js';
import { commandHelp } from './command-help.js';
import { failureMessage } from './failure-message.js';

const USAGE = `usage: lethe <command>

commands:
  migrate                                         apply the engine's migrations through
                                                  LETHE_DIRECT_DATABASE_URL (else DATABASE_URL, else the
                                                  embedded PostgreSQL in LETHE_DATA_DIR)
  certificate verify <file> --keys <keys.json>    check a deletion certificate against the keys of
  certificate verify <file> --public-key <key>    GET /v1/certificate-keys (picked by key id) or one pinned
                                                  key (PEM or GET /v1/certificate-key JSON); exits 0 when
                                                  valid, 1 when not (saying why), 2 on bad usage or no key
  projections rebuild [--projection <name>]       rebuild every read model (or the named one) from the
                                                  event log, with the same database settings as migrate;
                                                  refused while a running engine owns the projection;
                                                  exits 2 for an unknown name
  signing-key rotate                              a new certificate signing key in $LETHE_DATA_DIR/signing.key;
                                                  engines use it from their next start
  master-key rotate --new-key-file <path>         re-seal everything the master key seals under a new key
  master-key rotate --generate-into <path>        (a file of base64 of 32 bytes, or a new one written 0600),
                                                  in one transaction, with the same database settings as
                                                  migrate; the current key as the engine finds it
                                                  (LETHE_MASTER_KEY or master.key). Engines must be
                                                  stopped: refused while one runs, or when the current key
                                                  is not the database's (exit 1, nothing changed)
  simulate [--tenants N] [--years N] [--seed N]   a seeded fleet through the real engine for years of
           [--faults vault,crash,duplicates,late] simulated time, every promise checked by an
           [--sabotage kind] [--out dir]           independent oracle; exits 1 on any violation
                                                  (lethe <command> --help for each command's flags)
  help [<command>]                                this text, or the command's own (as <command> --help)

Exit codes: 0 done, 1 refused or failed, 2 bad usage or a bad setting.
`;

async function migrate(): Promise<number> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const database = await openCliDatabase(config);
  const { direct } = database.connections;
  try {
    const applied = await runMigrations(direct.client, ENGINE_MIGRATIONS, { onWaiting: migrationLockWait(logger) });
    process.stdout.write(applied.length === 0 ? 'schema is up to date\n' : `applied: ${applied.join(', ')}\n`);
    return 0;
  } catch (error) {
    throw explainConnectError(error, direct);
  } finally {
    await database.stop();
  }
}

/**
 * A command's own words and flags, parsed strictly: a mistyped flag or a stray word must not run a
 * command that changes something (`signing-key rotate --yes-please` rotated the key).
 * @returns the parse, or the exit code 2 after one line naming what was wrong and the command's usage.
 */
function commandArgs<O extends ParseArgsConfig['options']>(
  argv: string[],
  command: string,
  usage: string,
  words: readonly string[] | ((positionals: string[]) => string | null),
  options: O,
): { positionals: string[]; values: Record<string, string | boolean | undefined> } | 2 {
  try {
    const parsed = parseArgs({ args: argv.slice(argv.indexOf(command) + 1), allowPositionals: true, strict: true, options: options ?? {} });
    const problem =
      typeof words === 'function'
        ? words(parsed.positionals)
        : parsed.positionals.length === words.length && parsed.positionals.every((w, i) => w === words[i])
          ? null
          : `expected: lethe ${[command, ...words].join(' ')}`;
    if (problem !== null) throw new Error(problem);
    return { positionals: parsed.positionals, values: parsed.values as Record<string, string | boolean | undefined> };
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage}`);
    return 2;
  }
}

async function main(argv: string[]): Promise<number> {
  // Loose here, to find the command; each command parses its own flags strictly (commandArgs).
  const { positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: false,
    options: { 'public-key': { type: 'string' }, keys: { type: 'string' }, projection: { type: 'string' }, 'new-key-file': { type: 'string' }, 'generate-into': { type: 'string' } },
  });
  // `lethe <command> --help` prints that command's help and does nothing else (a help flag must never
  // migrate); `lethe --help` and `lethe help` the overview; `lethe help <command>` the command's help.
  const helpFlag = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length).some((a) => a === '--help' || a === '-h');
  if (helpFlag || positionals[0] === 'help') {
    const command = positionals[0] === 'help' ? positionals[1] : positionals[0];
    if (command === undefined) {
      process.stdout.write(USAGE);
      return 0;
    }
    const help = commandHelp(command);
    if (help === undefined) {
      process.stderr.write(`unknown command: ${command}\n${USAGE}`);
      return 2;
    }
    process.stdout.write(help);
    return 0;
  }
  switch (positionals[0]) {
    case 'simulate':
      return simulate(argv.slice(argv.indexOf('simulate') + 1));
    case 'migrate': {
      if (commandArgs(argv, 'migrate', 'usage: lethe migrate\n', [], {}) === 2) return 2;
      return migrate();
    }
    case 'certificate': {
      const parsed = commandArgs(
        argv,
        'certificate',
        'usage: lethe certificate verify <file> (--keys <keys.json> | --public-key <pem or json>)\n',
        (words) => (words.length === 2 && words[0] === 'verify' ? null : 'expected: lethe certificate verify <file>'),
        { 'public-key': { type: 'string' }, keys: { type: 'string' } },
      );
      if (parsed === 2) return 2;
      const { positionals: words, values: flags } = parsed;
      return verifyCertificateFile(words[1], {
        ...(typeof flags['public-key'] === 'string' ? { publicKey: flags['public-key'] } : {}),
        ...(typeof flags.keys === 'string' ? { keys: flags.keys } : {}),
      });
    }
    case 'projections': {
      const usage = 'usage: lethe projections rebuild [--projection <name>]\n';
      let projection: string | undefined;
      try {
        // Strict: a mistyped flag or a stray word must not rebuild every read model.
        const parsed = parseArgs({
          args: argv.slice(argv.indexOf('projections') + 1),
          allowPositionals: true,
          strict: true,
          options: { projection: { type: 'string', multiple: true } },
        });
        if (parsed.positionals.length !== 1 || parsed.positionals[0] !== 'rebuild') throw new Error('expected: rebuild');
        if ((parsed.values.projection?.length ?? 0) > 1) throw new Error('--projection: give it once (one projection, or none for all)');
        projection = parsed.values.projection?.[0];
      } catch (error) {
        process.stderr.write(`${(error as Error).message}\n${usage}`);
        return 2;
      }
      return rebuildProjectionsCommand(loadConfig(process.env), projection);
    }
    case 'signing-key': {
      if (commandArgs(argv, 'signing-key', 'usage: lethe signing-key rotate\n', ['rotate'], {}) === 2) return 2;
      return rotateSigningKey(loadConfig(process.env));
    }
    case 'master-key': {
      let source: NewKeySource;
      try {
        // Strict: a mistyped flag must not rotate with a key the operator did not mean.
        const parsed = parseArgs({
          args: argv.slice(argv.indexOf('master-key') + 1),
          allowPositionals: true,
          strict: true,
          options: { 'new-key-file': { type: 'string', multiple: true }, 'generate-into': { type: 'string', multiple: true } },
        });
        source = newKeySource(parsed.positionals, parsed.values);
      } catch (error) {
        process.stderr.write(`${(error as Error).message}\n${MASTER_KEY_ROTATE_USAGE}`);
        return 2;
      }
      return rotateMasterKeyCommand(loadConfig(process.env), source);
    }
    case undefined:
      // No command is bad usage: a script that forgot its argument must not look successful.
      process.stderr.write(USAGE);
      return 2;
    default:
      // One line, as every failure: the commands are a --help away.
      process.stderr.write(`unknown command: ${positionals[0]} (lethe --help lists the commands)\n`);
      return 2;
  }
}

/**
 * Runs `lethe <argv>` and says how it ended, whatever was thrown: the exit code (0 done, 1 refused or
 * failed, 2 bad usage or a bad setting); failures are written to stderr.
 */
export async function runCli(argv: string[]): Promise<number> {
  try {
    return await main(argv);
  } catch (error) {
    // A bad setting (the configuration, or a database setting such as sslmode or a refused CA) exits 2.
    // Anything may arrive here (a library rejecting with nothing): the message never fails itself.
    const setting = error instanceof ConfigError || error instanceof DatabaseSettingError;
    process.stderr.write(`${failureMessage(error)}\n`);
    return setting ? 2 : 1;
  }
}
