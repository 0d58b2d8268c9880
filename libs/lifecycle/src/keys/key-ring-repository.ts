// The key ring aggregate's repository (stream `keys-<tenantId>`): versions, protection history, backups.
// Backups archived from the state (see @lethe/domain archived-backups) are found again by the id of
// the event that recorded them, which derives from the backup id (backupCause).
import type { Clock } from '@lethe/clock';
import {
  KEYS_STATE_VERSION,
  decideKeys,
  evolveKeys,
  findBackup,
  initialKeysState,
  keysStream,
  type BackupDeleted,
  type BackupRecorded,
  type BackupState,
  type KeysCommand,
  type KeysContext,
  type KeysEvent,
  type KeysState,
} from '@lethe/domain';
import type { EventStore } from '@lethe/eventstore';
import { AggregateRepository, asDomainEvent, type SnapshotOptions } from '../aggregate-repository.js';
import { causedEventId } from '../event-ids.js';

/** The cause a backup is recorded under: its BackupRecorded event's id derives from it alone. */
export const backupCause = (backupId: string) => `backup:${backupId}`;
/** The cause a backup's deletion is recorded under (its BackupDeleted event's id derives from it). */
export const backupDeletedCause = (backupId: string) => `backup-deleted:${backupId}`;

/** The backup a command names, if any. */
function backupIdOf(command: KeysCommand): string | null {
  switch (command.type) {
    case 'RecordBackup':
    case 'ChangeBackupRetention':
    case 'DeleteBackup':
      return command.data.backupId;
    default:
      return null;
  }
}

export class KeyRingRepository extends AggregateRepository<KeysCommand, KeysEvent, KeysState, KeysContext> {
  constructor(
    private readonly events: EventStore,
    clock: Clock,
    snapshots?: SnapshotOptions,
  ) {
    super(
      events,
      clock,
      {
        stream: keysStream,
        stateVersion: KEYS_STATE_VERSION,
        initialState: initialKeysState,
        evolve: evolveKeys,
        decide: decideKeys,
        context: (now, state, command) => this.contextFor(now, state, command),
      },
      snapshots,
    );
  }

  /** The decision context: `now`, and the archived backup the command names (one indexed read, only then). */
  async contextFor(now: Date, state: KeysState, command: KeysCommand): Promise<KeysContext> {
    const backupId = backupIdOf(command);
    return { now, archived: backupId === null ? null : await this.archivedBackup(state, backupId) };
  }

  /**
   * An archived backup as it was recorded (expiry as first recorded) and, if so, deleted; null when
   * the state holds it, or it was never recorded, or no backup was ever archived (a young ring pays
   * no read). One indexed read by event id, a second only for a backup found.
   */
  async archivedBackup(state: KeysState, backupId: string): Promise<BackupState | null> {
    if (state.archivedBackups === 0 || !state.tenantId || findBackup(state, backupId)) return null;
    const stream = keysStream(state.tenantId);
    const recorded = await this.events.readEvent(causedEventId(stream, backupCause(backupId), 0));
    if (!recorded || recorded.type !== 'BackupRecorded' || recorded.streamId !== stream) return null;
    const { at: _at, ...d } = asDomainEvent<BackupRecorded>(recorded).data;
    if (d.backupId !== backupId) return null;
    const deleted = await this.events.readEvent(causedEventId(stream, backupDeletedCause(backupId), 0));
    const deletedAt = deleted?.type === 'BackupDeleted' && deleted.streamId === stream ? (deleted.data as unknown as BackupDeleted['data']).at : null;
    return { ...d, deletedAt };
  }
}
