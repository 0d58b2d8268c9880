import { Command } from '@nestjs/cqrs';
import type { KeyRingState } from '@lethe/domain';

export class ChangeBackupRetentionCommand extends Command<KeyRingState> {
  constructor(
    readonly tenantId: string,
    readonly backupId: string,
    /** ISO 8601 instant. */
    readonly expiresAt: string,
  ) {
    super();
  }
}
