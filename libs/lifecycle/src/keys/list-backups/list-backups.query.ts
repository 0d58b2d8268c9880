import { Query } from '@nestjs/cqrs';
import type { BackupItem, BackupsQuery, Page } from '@lethe/readmodel';

/** A page of a tenant's backups from the read model (by takenAt, then id), filtered; null: no such key ring. */
export class ListBackupsQuery extends Query<Page<BackupItem> | null> {
  constructor(
    readonly tenantId: string,
    readonly filter: Omit<BackupsQuery, 'now'> = {},
  ) {
    super();
  }
}
