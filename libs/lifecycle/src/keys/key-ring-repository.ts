// The key ring aggregate's repository (stream `keys-<tenantId>`): versions, protection history, backups.
// Backups archived from the state (see @lethe/domain archived-backups) are found again by the id of
// the event that recorded them, which derives from the backup id (backupCause).
import type { Clock } from '@lethe/clock';
import {
  DEFAULT_MAX_BACKUP_RETENTION_DAYS,
  DEFAULT_RETIRED_KEY_GRACE_DAYS,
  KEY_RING_STATE_VERSION,
  DomainError,
  decideKeyRing,
  evolveKeyRing,
  findBackup,
  initialKeyRingState,
  keyRingStream,
  type BackupDeleted,
  type BackupRecorded,
  type BackupState,
  type KeyRingCommand,
  type KeyRingContext,
  type KeyRingEvent,
  type KeyRingState,
} from '@lethe/domain';
import type { EventStore } from '@lethe/eventstore';
import { AggregateRepository, asDomainEvent, type Loaded, type SnapshotOptions } from '../aggregate-repository.js';
import { causedEventId } from '../event-ids.js';

/** The cause a backup is recorded under: its BackupRecorded event's id derives from it alone. */
export const backupCause = (backupId: string) => `backup:${backupId}`;
/** The cause a backup's deletion is recorded under (its BackupDeleted event's id derives from it). */
export const backupDeletedCause = (backupId: string) => `backup-deleted:${backupId}`;

/** The backup a command names, if any. */
function backupIdOf(command: KeyRingCommand): string | null {
  switch (command.type) {
    case 'RecordBackup':
    case 'ChangeBackupRetention':
    case 'DeleteBackup':
      return command.data.backupId;
    default:
      return null;
  }
}

/** The fleet's settings a key ring decides with; each absent one is its default in promises.ts. */
export interface KeyRingSettings {
  /** LETHE_BACKUP_RETENTION_MAX_DAYS: the longest a backup may be kept without a break-glass grant. */
  readonly maxBackupRetentionDays?: number;
  /** LETHE_RETIRED_KEY_GRACE_DAYS: how long a retired version stays disabled before it is destroyed. */
  readonly retiredKeyGraceDays?: number;
}

export class KeyRingRepository extends AggregateRepository<KeyRingCommand, KeyRingEvent, KeyRingState, KeyRingContext> {
  constructor(
    private readonly events: EventStore,
    clock: Clock,
    snapshots?: SnapshotOptions,
    /** The fleet's settings the key ring decides with (LETHE_BACKUP_RETENTION_MAX_DAYS, LETHE_RETIRED_KEY_GRACE_DAYS); defaults from promises.ts. */
    private readonly settings: KeyRingSettings = {},
  ) {
    super(
      events,
      clock,
      {
        stream: keyRingStream,
        stateVersion: KEY_RING_STATE_VERSION,
        initialState: initialKeyRingState,
        evolve: evolveKeyRing,
        decide: decideKeyRing,
        context: (now, state, command) => this.contextFor(now, state, command),
      },
      snapshots,
    );
  }

  /** The decision context: `now`, the fleet's settings, and the archived backup the command names (one indexed read, only then). */
  async contextFor(now: Date, state: KeyRingState, command: KeyRingCommand): Promise<KeyRingContext> {
    const backupId = backupIdOf(command);
    return {
      now,
      maxBackupRetentionDays: this.settings.maxBackupRetentionDays ?? DEFAULT_MAX_BACKUP_RETENTION_DAYS,
      retiredKeyGraceDays: this.settings.retiredKeyGraceDays ?? DEFAULT_RETIRED_KEY_GRACE_DAYS,
      archived: backupId === null ? null : await this.archivedBackup(state, backupId),
    };
  }

  /**
   * An archived backup as it was recorded (expiry as first recorded) and, if so, deleted; null when
   * the state holds it, or it was never recorded, or no backup was ever archived (a young ring pays
   * no read). One indexed read by event id, a second only for a backup found.
   */
  async archivedBackup(state: KeyRingState, backupId: string): Promise<BackupState | null> {
    if (state.archivedBackups === 0 || !state.tenantId || findBackup(state, backupId)) return null;
    const stream = keyRingStream(state.tenantId);
    const recorded = await this.events.readEvent(causedEventId(stream, backupCause(backupId), 0), { streams: [stream] });
    if (!recorded || recorded.type !== 'BackupRecorded' || recorded.streamId !== stream) return null;
    const { at: _at, grantId: _grantId, ...d } = asDomainEvent<BackupRecorded>(recorded).data;
    if (d.backupId !== backupId) return null;
    const deleted = await this.events.readEvent(causedEventId(stream, backupDeletedCause(backupId), 0), { streams: [stream] });
    const deletedAt = deleted?.type === 'BackupDeleted' && deleted.streamId === stream ? (deleted.data as unknown as BackupDeleted['data']).at : null;
    return { ...d, deletedAt };
  }

  /** The tenant's key ring; DomainError 'tenant-not-found' when it has none. */
  async loadExisting(tenantId: string): Promise<Loaded<KeyRingState>> {
    const loaded = await this.load(tenantId);
    if (!loaded.state.exists) throw new DomainError('tenant-not-found', 'tenant not found');
    return loaded;
  }
}
