import { Command } from '@nestjs/cqrs';
import type { KeyRingState } from '@lethe/domain';

/** A database added after onboarding, protected by the newest key version. */
export class AddDatabaseCommand extends Command<KeyRingState> {
  constructor(
    readonly tenantId: string,
    readonly databaseId: string,
  ) {
    super();
  }
}
