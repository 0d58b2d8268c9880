import { Command } from '@nestjs/cqrs';
import type { KeyRingState } from '@lethe/domain';

/** The backup was deleted early. */
export class DeleteBackupCommand extends Command<KeyRingState> {
  constructor(
    readonly tenantId: string,
    readonly backupId: string,
  ) {
    super();
  }
}
