import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { BackupView, KeyRingView } from '@lethe/readmodel';
import { ListBackupsQuery } from './list-backups.query.js';

@QueryHandler(ListBackupsQuery)
export class ListBackupsHandler implements IQueryHandler<ListBackupsQuery> {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  async execute({ tenantId }: ListBackupsQuery): Promise<readonly BackupView[] | null> {
    if (!(await this.db.getRepository(KeyRingView).existsBy({ tenantId }))) return null;
    return this.db.getRepository(BackupView).find({ where: { tenantId }, order: { takenAt: 'ASC', backupId: 'ASC' } });
  }
}
