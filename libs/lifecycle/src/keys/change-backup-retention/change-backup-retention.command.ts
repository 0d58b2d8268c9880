import { Command } from '@nestjs/cqrs';
import type { KeyRingState } from '@lethe/domain';
import type { BreakGlassClaim } from '../../break-glass/privileged-use.js';

export class ChangeBackupRetentionCommand extends Command<KeyRingState> {
  constructor(
    readonly tenantId: string,
    readonly backupId: string,
    /** ISO 8601 instant. */
    readonly expiresAt: string,
    /** The caller and the grant it names: used (and recorded) only to keep the backup longer, past the maximum retention. */
    readonly breakGlass?: BreakGlassClaim,
  ) {
    super();
  }
}
