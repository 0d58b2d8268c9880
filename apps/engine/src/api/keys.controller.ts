// /v1/tenants/{id}: the key ring — rotation period and backup policy, manual rotation, versions,
// databases added later, backups with their retention, restore checks. Each route maps HTTP to one
// command or query. A backup kept past the maximum retention (LETHE_BACKUP_RETENTION_MAX_DAYS) needs
// the caller's break-glass grant (backup.extend-retention); only the use case knows when, so the
// routes hand it the caller and the Break-Glass-Grant header.
import { Controller, Get, Headers, HttpCode, Patch, Post, UseFilters } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import {
  AddDatabaseCommand,
  ChangeBackupRetentionCommand,
  ChangeKeyRingPolicyCommand,
  DeleteBackupCommand,
  GetKeysQuery,
  ListBackupsQuery,
  RecordBackupCommand,
  RestoreCheckQuery,
  RotateKeyCommand,
} from '@lethe/lifecycle';
import { Answer, Caller, IDEMPOTENCY_KEY_HEADER, Idempotent, ProblemException, Problems, Roles, ZodBody, ZodParam, ZodQuery, type CallerContext } from '../http/index.js';
import { BREAK_GLASS_HEADER, breakGlassClaim, PrivilegedWhen } from './break-glass/privileged-access.js';
import { addedDatabaseAnswer, backupAnswer, backupPageAnswer, EXAMPLES, keysAnswer, policyAnswer, restoreCheckAnswer, rotatedAnswer } from './keys.answers.js';
import { listBackupsQuery, listKeyVersionsQuery } from './key-ring-query.schemas.js';
import { DomainErrorFilter } from './domain-error.filter.js';
import { addedDatabaseBody, backupBody, keysBody, policyBody, restoreCheckBody, rotatedBody } from './keys.presenter.js';
import { addDatabaseSchema, backupIdSchema, backupRetentionSchema, backupSchema, idSchema, patchTenantSchema } from './tenant.schemas.js';
import type { z } from 'zod';

@Controller('v1/tenants/:tenantId')
@UseFilters(DomainErrorFilter)
export class KeysController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Patch()
  @Roles('operator')
  @Answer(200, policyAnswer, EXAMPLES.policy, 'The key ring\'s policy after the change')
  @Problems(404, 409)
  async patch(@ZodParam('tenantId', idSchema) tenantId: string, @ZodBody(patchTenantSchema) body: z.output<typeof patchTenantSchema>) {
    return policyBody(tenantId, await this.commands.execute(new ChangeKeyRingPolicyCommand(tenantId, body)));
  }

  @Post('keys/rotate')
  @Roles('operator')
  @HttpCode(202)
  @Idempotent({ key: 'header' })
  @Answer(202, rotatedAnswer, EXAMPLES.rotated, 'The new key version; every database is re-protected with it within 24 hours')
  @Problems(404, 409)
  async rotate(@ZodParam('tenantId', idSchema) tenantId: string, @Headers(IDEMPOTENCY_KEY_HEADER) idempotencyKey?: string) {
    return rotatedBody(await this.commands.execute(new RotateKeyCommand(tenantId, idempotencyKey)));
  }

  @Get('keys')
  @Roles('ops-reader')
  @Answer(200, keysAnswer, EXAMPLES.keys, 'The key ring and a page of its versions, oldest first')
  @Problems(404)
  async keys(@ZodParam('tenantId', idSchema) tenantId: string, @ZodQuery(listKeyVersionsQuery) query: z.output<typeof listKeyVersionsQuery>) {
    const keys = await this.queries.execute(new GetKeysQuery(tenantId, query));
    if (!keys) throw ProblemException.notFound('tenant not found');
    return keysBody(tenantId, keys);
  }

  @Post('databases')
  @Roles('operator')
  @HttpCode(201)
  @Answer(201, addedDatabaseAnswer, EXAMPLES.addedDatabase, 'The database, protected by the current key version')
  @Problems(404, 409)
  async addDatabase(@ZodParam('tenantId', idSchema) tenantId: string, @ZodBody(addDatabaseSchema) body: z.output<typeof addDatabaseSchema>) {
    return addedDatabaseBody(await this.commands.execute(new AddDatabaseCommand(tenantId, body.databaseId)), body.databaseId);
  }

  @Post('backups')
  @Roles('operator')
  @HttpCode(201)
  @PrivilegedWhen('backup.extend-retention', 'for a backup kept past the maximum retention (expiresAt − takenAt over LETHE_BACKUP_RETENTION_MAX_DAYS)')
  @Answer(201, backupAnswer, EXAMPLES.backup, 'The backup as recorded (also for the same body again), with the versions it needs')
  @Problems(404, 409)
  async recordBackup(
    @ZodParam('tenantId', idSchema) tenantId: string,
    @ZodBody(backupSchema) body: z.output<ReturnType<typeof backupSchema>>,
    @Headers(BREAK_GLASS_HEADER.toLowerCase()) grant: string | undefined,
    @Caller() caller: CallerContext | undefined,
  ) {
    return backupBody(await this.commands.execute(new RecordBackupCommand(tenantId, body, breakGlassClaim(grant, caller))), body.backupId);
  }

  @Get('backups')
  @Roles('ops-reader')
  @Answer(200, backupPageAnswer, EXAMPLES.backupPage)
  @Problems(404)
  async listBackups(@ZodParam('tenantId', idSchema) tenantId: string, @ZodQuery(listBackupsQuery) query: z.output<typeof listBackupsQuery>) {
    const backups = await this.queries.execute(new ListBackupsQuery(tenantId, query));
    if (!backups) throw ProblemException.notFound('tenant not found');
    return backups;
  }

  @Patch('backups/:backupId')
  @Roles('operator')
  @PrivilegedWhen('backup.extend-retention', 'to keep the backup longer, past the maximum retention (expiresAt − takenAt over LETHE_BACKUP_RETENTION_MAX_DAYS)')
  @Answer(200, backupAnswer, EXAMPLES.backup, 'The backup with its new expiry')
  @Problems(404, 409)
  async changeRetention(
    @ZodParam('tenantId', idSchema) tenantId: string,
    @ZodParam('backupId', backupIdSchema) backupId: string,
    @ZodBody(backupRetentionSchema) body: z.output<ReturnType<typeof backupRetentionSchema>>,
    @Headers(BREAK_GLASS_HEADER.toLowerCase()) grant: string | undefined,
    @Caller() caller: CallerContext | undefined,
  ) {
    return backupBody(await this.commands.execute(new ChangeBackupRetentionCommand(tenantId, backupId, body.expiresAt, breakGlassClaim(grant, caller))), backupId);
  }

  @Post('backups/:backupId/deleted')
  @Roles('operator')
  @HttpCode(200)
  @Answer(200, backupAnswer, { ...EXAMPLES.backup, deletedAt: '2026-12-22T09:00:00.000Z' }, 'The backup, deleted')
  @Problems(404, 409)
  async deleted(@ZodParam('tenantId', idSchema) tenantId: string, @ZodParam('backupId', backupIdSchema) backupId: string) {
    return backupBody(await this.commands.execute(new DeleteBackupCommand(tenantId, backupId)), backupId);
  }

  @Post('backups/:backupId/restore-check')
  @Roles('operator')
  @HttpCode(200)
  @Answer(200, restoreCheckAnswer, EXAMPLES.restoreCheck, 'Whether the backup could be restored now (nothing is restored)')
  @Problems(404)
  async restoreCheck(@ZodParam('tenantId', idSchema) tenantId: string, @ZodParam('backupId', backupIdSchema) backupId: string) {
    return restoreCheckBody(await this.queries.execute(new RestoreCheckQuery(tenantId, backupId)));
  }
}

