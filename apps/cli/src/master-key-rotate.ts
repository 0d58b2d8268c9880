// `lethe master-key rotate (--new-key-file <path> | --generate-into <path>)`: moves everything the
// master key seals to a new key, offline, in one transaction (libs/dataplane rotateMasterKey), with a
// progress bar on stderr. The current key is found as the engine finds it (LETHE_MASTER_KEY, else
// master.key in LETHE_DATA_DIR; never generated). No key, nor anything derived from one, is printed.
//
// Refused (exit 1, nothing changed): engines running (the engine lock, or processor leases held), the
// schema not up to date, the current key not the database's, a row the current key does not open.
// Exit 2: bad usage or an unusable key setting or file, each named with its rule.
import { lstat, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import pg from 'pg';
import { RotationLockTimeoutError, SameMasterKeyError, rotateMasterKey, type RotationPhase } from '@lethe/dataplane';
import { EnginesRunningError, excludeEngines, pendingMigrations, type HeldEngineLock } from '@lethe/postgres';
import { countLeaseHolders } from '@lethe/processors';
import {
  CurrentMasterKeyMismatchError,
  InvalidKeyFileError,
  InvalidKeySettingError,
  KeyFilePermissionError,
  MASTER_KEY_FILE,
  MasterKey,
  MasterKeyMissingError,
  SealedRowUnreadableError,
  masterKeyCheckValue,
  readMasterKey,
  readMasterKeyFile,
  writeNewMasterKeyFile,
} from '@lethe/vault';
import type { EngineConfig } from '../../engine/src/config/engine-config.js';
import { ENGINE_MIGRATIONS } from '../../engine/src/infrastructure/database.js';
import { openCliDatabase } from './cli-database.js';

export const MASTER_KEY_ROTATE_USAGE = 'usage: lethe master-key rotate (--new-key-file <path> | --generate-into <path>)\n';

/** Where the new key comes from: a file the operator made, or one this command writes. */
export type NewKeySource = { readonly kind: 'file'; readonly path: string } | { readonly kind: 'generate'; readonly path: string };

/** Bad usage: the message names the flag and the rule. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

interface RawFlags {
  readonly 'new-key-file'?: string[];
  readonly 'generate-into'?: string[];
}

/**
 * The new key's source from the words after `master-key` (`rotate` and its flags, already parsed
 * strictly by node:util parseArgs, so an unknown flag never gets here).
 * @throws UsageError naming the flag and the rule.
 */
export function newKeySource(positionals: readonly string[], flags: RawFlags): NewKeySource {
  if (positionals.length !== 1 || positionals[0] !== 'rotate') throw new UsageError('expected: rotate');
  const file = flags['new-key-file'] ?? [];
  const generate = flags['generate-into'] ?? [];
  if (file.length + generate.length === 0) throw new UsageError('give the new key: --new-key-file <path> (a key you made) or --generate-into <path> (a new file)');
  if (file.length > 0 && generate.length > 0) throw new UsageError('--new-key-file and --generate-into: give one of them, not both');
  if (file.length > 1) throw new UsageError('--new-key-file: give it once');
  if (generate.length > 1) throw new UsageError('--generate-into: give it once');
  const [flag, path] = file.length === 1 ? (['--new-key-file', file[0]] as const) : (['--generate-into', generate[0]] as const);
  if (path.trim() === '') throw new UsageError(`${flag}: must be a path, not empty`);
  return file.length === 1 ? { kind: 'file', path: resolve(path) } : { kind: 'generate', path: resolve(path) };
}

export interface CommandOutput {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** The new key: read from its file, or made in memory (written to its file just before the commit). */
async function newKey(source: NewKeySource): Promise<MasterKey> {
  if (source.kind === 'file') {
    try {
      return await readMasterKeyFile(source.path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`--new-key-file: ${source.path} does not exist`);
      if (error instanceof KeyFilePermissionError || error instanceof InvalidKeyFileError) throw new UsageError(`--new-key-file: ${error.message}`);
      throw error;
    }
  }
  const exists = await lstat(source.path).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw error;
    },
  );
  if (exists) throw new UsageError(`--generate-into: ${source.path} exists; it is never overwritten (give a new path)`);
  const folder = await stat(dirname(source.path)).catch(() => undefined);
  if (!folder?.isDirectory()) throw new UsageError(`--generate-into: the folder ${dirname(source.path)} does not exist`);
  return MasterKey.generate();
}

function nextSteps(config: Pick<EngineConfig, 'dataDir' | 'masterKey'>, path: string): string {
  const where =
    config.masterKey !== undefined
      ? `set LETHE_MASTER_KEY on every engine to the content of ${path}`
      : `replace ${join(config.dataDir, MASTER_KEY_FILE)} (and the master.key of every other engine's data folder) with ${path}, mode 0600`;
  return (
    `Next: ${where}, then start the engines. An engine given the old key refuses to start (exit 2).\n` +
    'Keep the old master key, apart from the new one, for as long as any backup of this database taken before now exists: ' +
    'the tenant key versions in those backups are sealed under it.\n'
  );
}

/**
 * Runs the command. Exit code: 0 rotated (or already on the new key), 1 refused or failed with nothing
 * changed, 2 bad usage or an unusable key setting or file.
 * @throws DatabaseSettingError (exit 2 in main) and database errors (exit 1).
 */
export async function rotateMasterKeyCommand(config: EngineConfig, source: NewKeySource, output: CommandOutput = process): Promise<number> {
  const say = (text: string) => output.stdout.write(text);
  const refuse = (text: string, code: number) => {
    output.stderr.write(`${code === 2 ? '' : 'refused: '}${text}\n`);
    return code;
  };
  let current: MasterKey;
  let next: MasterKey;
  try {
    current = await readMasterKey({ env: config.masterKey, dataDir: config.dataDir });
    next = await newKey(source);
  } catch (error) {
    if (error instanceof UsageError) return refuse(`${error.message}\n${MASTER_KEY_ROTATE_USAGE.trimEnd()}`, 2);
    if (
      error instanceof MasterKeyMissingError ||
      error instanceof InvalidKeySettingError ||
      error instanceof KeyFilePermissionError ||
      error instanceof InvalidKeyFileError
    ) {
      return refuse(`the current master key: ${error.message}`, 2);
    }
    throw error;
  }
  if (masterKeyCheckValue(current).equals(masterKeyCheckValue(next))) return refuse('--new-key-file: holds the current master key; give a new key', 2);

  const database = await openCliDatabase(config);
  const { pooled, direct } = database.connections;
  const pool = new pg.Pool({ ...pooled.client, max: 2 });
  pool.on('error', () => undefined);
  const bar = new cliProgress.SingleBar(
    { format: '{phase} [{bar}] {percentage}% | {value}/{total} sealed rows', hideCursor: true, stream: output.stderr },
    cliProgress.Presets.shades_classic,
  );
  let engineLock: HeldEngineLock | undefined;
  let keyWritten = false;
  try {
    const pending = await pendingMigrations(pool, ENGINE_MIGRATIONS);
    if (pending.length > 0) return refuse(`the database schema is not up to date (${pending.length} migrations pending): run lethe migrate first; nothing was changed`, 1);
    try {
      engineLock = await excludeEngines(direct.client);
    } catch (error) {
      if (error instanceof EnginesRunningError) return refuse(`${error.message}; nothing was changed`, 1);
      throw error;
    }
    const leases = await countLeaseHolders(pool);
    if (leases > 0) {
      return refuse(
        `${leases} session${leases === 1 ? ' holds' : 's hold'} processor leases on this database (a running engine, or a lethe projections rebuild): ` +
          'stop every engine instance and try again; nothing was changed',
        1,
      );
    }
    let phase: RotationPhase | undefined;
    const result = await rotateMasterKey(pool, current, next, {
      onStart: (rows) => bar.start(rows, 0, { phase: 're-sealing' }),
      onProgress: (now, rows) => {
        if (now !== phase) bar.update(0, { phase: now });
        phase = now;
        bar.update(rows, { phase: now });
      },
      beforeCommit: async () => {
        bar.stop();
        if (source.kind === 'generate') {
          await writeNewMasterKeyFile(source.path, next);
          keyWritten = true;
        }
      },
    });
    bar.stop();
    if (result.outcome === 'already-rotated') {
      say(`the database is already bound to the new key (a rotation to it completed earlier): nothing was changed\n${nextSteps(config, source.path)}`);
      return 0;
    }
    say(
      `rotated the master key: re-sealed ${result.keyVersions} tenant key version${result.keyVersions === 1 ? '' : 's'} and ` +
        `${result.assets} platform-key asset${result.assets === 1 ? '' : 's'} under the new key, opened each again with it, ` +
        "and bound the database to it (vault_master_key_check); destroyed versions and purged assets hold nothing and were left as they are\n",
    );
    if (source.kind === 'generate') say(`the new key is in ${source.path} (mode 0600)\n`);
    say(nextSteps(config, source.path));
    return 0;
  } catch (error) {
    bar.stop();
    if (error instanceof CurrentMasterKeyMismatchError || error instanceof SealedRowUnreadableError || error instanceof RotationLockTimeoutError) {
      return refuse(`${error.message}; nothing was changed`, 1);
    }
    if (error instanceof SameMasterKeyError) return refuse(error.message, 2);
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' && source.kind === 'generate') {
      return refuse(`--generate-into: ${source.path} appeared meanwhile; it is never overwritten; nothing was changed`, 1);
    }
    if (keyWritten) {
      // The commit itself may have failed after reaching the server: the outcome is unknown.
      output.stderr.write(
        `the rotation failed at its commit (${(error as Error).message}): the database may be on the new key in ${source.path}, or still on the old one. ` +
          `Run again with --new-key-file ${source.path}: it finishes the rotation, or says the database is already on that key.\n`,
      );
      return 1;
    }
    output.stderr.write(`the rotation failed, nothing was changed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await engineLock?.release();
    await pool.end();
    await database.stop();
  }
}
