import { Query } from '@nestjs/cqrs';
import type { BackupView } from '@lethe/readmodel';

/** A tenant's backups from the read model (by takenAt, then id); null: no such key ring. */
export class ListBackupsQuery extends Query<readonly BackupView[] | null> {
  constructor(readonly tenantId: string) {
    super();
  }
}
