import { Command } from '@nestjs/cqrs';
import type { BackupKind, KeyRingState } from '@lethe/domain';
import type { BreakGlassClaim } from '../../break-glass/privileged-use.js';

export interface BackupInput {
  readonly backupId: string;
  readonly databaseId: string;
  readonly kind: BackupKind;
  /** ISO 8601 instants: the backup restores any moment of [coveredFrom, takenAt]; kept until expiresAt. */
  readonly coveredFrom: string;
  readonly takenAt: string;
  readonly expiresAt: string;
}

export class RecordBackupCommand extends Command<KeyRingState> {
  constructor(
    readonly tenantId: string,
    readonly backup: BackupInput,
    /** The caller and the grant it names: used (and recorded) only for a backup kept past the maximum retention. */
    readonly breakGlass?: BreakGlassClaim,
  ) {
    super();
  }
}
