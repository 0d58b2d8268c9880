// Every engine holds the engine lock (libs/postgres engine-lock.ts) shared from boot, before the master
// key check, until it stops: `lethe master-key rotate` takes it exclusively, so it refuses while any
// engine runs, and an engine booting during a rotation waits for it and then checks its key against
// the rotated database. If the lock's session drops, the lock is taken again as soon as it can be, and
// the master key is checked again: a rotation that slipped into the gap leaves this engine on a
// superseded key, which can seal nothing more (the check-value fence) and must be restarted.
import type { Logger } from 'pino';
import { holdEngineLock, type HeldEngineLock } from '@lethe/postgres';
import { MasterKeyCheckError, checkMasterKey, type MasterKey } from '@lethe/vault';
import type { Database } from './database.js';

/**
 * @param checkpoint called while waiting; throws to end the wait (a stop requested during boot).
 * @throws what connecting on the direct connection throws, or what `checkpoint` throws.
 */
export function holdEngineLockAtBoot(
  database: Database,
  masterKey: MasterKey,
  dataDir: string,
  logger: Pick<Logger, 'warn' | 'error' | 'info'>,
  checkpoint: () => void,
): Promise<HeldEngineLock> {
  return holdEngineLock(database.direct.client, {
    checkpoint,
    onWaiting: (waitedMs) => logger.warn({ waitedMs }, 'waiting for the engine lock: `lethe master-key rotate` is working on this database'),
    onLost: () => logger.warn('the engine lock session was lost; taking the lock again'),
    onRestored: async () => {
      try {
        await checkMasterKey(database.pool, masterKey, dataDir);
        logger.info('the engine lock is held again, and the master key still matches the database');
      } catch (error) {
        if (error instanceof MasterKeyCheckError) {
          logger.error(
            'the master key was rotated while this engine ran (the database is bound to another key): it can seal nothing and open nothing; restart it with the new master key',
          );
        } else {
          logger.warn({ err: (error as Error).message }, 'could not check the master key after taking the engine lock again');
        }
      }
    },
  });
}
