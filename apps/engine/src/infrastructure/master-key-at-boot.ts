// At boot, after migrations: the master key must be the one the database's vault was sealed with
// (libs/vault checkMasterKey). A mismatch stops the engine (MasterKeyCheckError, exit code 2) before
// anything can write under the wrong key. A master.key generated during this boot is removed again:
// left behind, it would look like a deliberate key on the next start and hide that the original is
// missing. The database stays open: the boot's unwinding closes it, after the engine lock's session
// (closing it here ended the pool twice and cut the lock's session under it, reported as lost).
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { MASTER_KEY_FILE, MasterKeyCheckError, checkMasterKey, type MasterKey } from '@lethe/vault';
import type { Database } from './database.js';

/** @throws MasterKeyCheckError when the key is not the vault's (the caller closes the database). */
export async function verifyMasterKeyAtBoot(database: Database, masterKey: MasterKey, dataDir: string, logger: Pick<Logger, 'info'>): Promise<void> {
  try {
    const outcome = await checkMasterKey(database.pool, masterKey, dataDir);
    if (outcome !== 'matched') logger.info({ outcome }, 'master key check value stored');
  } catch (error) {
    if (error instanceof MasterKeyCheckError && masterKey.source === 'generated') {
      await unlink(join(dataDir, MASTER_KEY_FILE)).catch(() => undefined);
    }
    throw error;
  }
}
