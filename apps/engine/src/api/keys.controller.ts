// /v1/tenants/{id}: the key ring — rotation period and backup policy, manual rotation, versions,
// databases added later, backups with their retention, restore checks.
import { Controller, Get, HttpCode, Inject, Patch, Post } from '@nestjs/common';
import { CLOCK, type Clock } from '@lethe/clock';
import type { Lifecycle } from '@lethe/lifecycle';
import { KeyRingQueries } from '@lethe/readmodel';
import { ProblemException, Roles, ZodBody, ZodParam, ZodQuery } from '../http/index.js';
import { answering } from './domain-errors.js';
import { listBackupsQuery, listKeyVersionsQuery } from './key-ring-query.schemas.js';
import { LIFECYCLE } from './lifecycle.token.js';
import { addDatabaseSchema, backupIdSchema, backupRetentionSchema, backupSchema, idSchema, patchTenantSchema } from './tenant.schemas.js';
import type { z } from 'zod';

@Controller('v1/tenants/:tenantId')
export class KeysController {
  constructor(
    @Inject(LIFECYCLE) private readonly lifecycle: Lifecycle,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly queries: KeyRingQueries,
  ) {}

  @Patch()
  @Roles('operator')
  async patch(@ZodParam('tenantId', idSchema) tenantId: string, @ZodBody(patchTenantSchema) body: z.output<typeof patchTenantSchema>) {
    const { rotationPeriodDays, pitrRetentionDays } = body;
    let state = await answering(() => this.lifecycle.keys.state(tenantId));
    if (rotationPeriodDays !== undefined) state = await answering(() => this.lifecycle.keys.changeRotationPeriod(tenantId, rotationPeriodDays));
    if (pitrRetentionDays !== undefined) state = await answering(() => this.lifecycle.keys.changeBackupPolicy(tenantId, pitrRetentionDays));
    return { tenantId, rotationPeriodDays: state.rotationPeriodDays, pitrRetentionDays: state.pitrRetentionDays };
  }

  @Post('keys/rotate')
  @Roles('operator')
  @HttpCode(202)
  rotate(@ZodParam('tenantId', idSchema) tenantId: string) {
    return answering(() => this.lifecycle.keys.rotate(tenantId));
  }

  @Get('keys')
  @Roles('ops-reader')
  async keys(@ZodParam('tenantId', idSchema) tenantId: string, @ZodQuery(listKeyVersionsQuery) query: z.output<typeof listKeyVersionsQuery>) {
    const ring = await this.queries.ring(tenantId);
    if (!ring) throw ProblemException.notFound('tenant not found');
    const page = await this.queries.keyVersions(tenantId, query);
    const { keyCustody, rotationPeriodDays, pitrRetentionDays, databases } = ring;
    return { tenantId, keyCustody, rotationPeriodDays, pitrRetentionDays, databases, versions: page.items, nextCursor: page.nextCursor };
  }

  @Post('databases')
  @Roles('operator')
  @HttpCode(201)
  async addDatabase(@ZodParam('tenantId', idSchema) tenantId: string, @ZodBody(addDatabaseSchema) body: z.output<typeof addDatabaseSchema>) {
    const state = await answering(() => this.lifecycle.keys.addDatabase(tenantId, body.databaseId));
    const db = state.databases.find((d) => d.databaseId === body.databaseId)!;
    return { databaseId: db.databaseId, keyVersionId: db.intervals[db.intervals.length - 1].keyVersionId };
  }

  @Post('backups')
  @Roles('operator')
  @HttpCode(201)
  async recordBackup(@ZodParam('tenantId', idSchema) tenantId: string, @ZodBody(backupSchema) body: z.output<typeof backupSchema>) {
    const state = await answering(() => this.lifecycle.keys.recordBackup(tenantId, body));
    const b = state.backups.find((x) => x.backupId === body.backupId)!;
    return { ...b };
  }

  @Get('backups')
  @Roles('ops-reader')
  async listBackups(@ZodParam('tenantId', idSchema) tenantId: string, @ZodQuery(listBackupsQuery) query: z.output<typeof listBackupsQuery>) {
    if (!(await this.queries.ring(tenantId))) throw ProblemException.notFound('tenant not found');
    return this.queries.backups(tenantId, { ...query, now: this.clock.now() });
  }

  @Patch('backups/:backupId')
  @Roles('operator')
  async changeRetention(
    @ZodParam('tenantId', idSchema) tenantId: string,
    @ZodParam('backupId', backupIdSchema) backupId: string,
    @ZodBody(backupRetentionSchema) body: z.output<typeof backupRetentionSchema>,
  ) {
    const state = await answering(() => this.lifecycle.keys.changeBackupRetention(tenantId, backupId, body.expiresAt));
    return { ...state.backups.find((x) => x.backupId === backupId)! };
  }

  @Post('backups/:backupId/deleted')
  @Roles('operator')
  @HttpCode(200)
  async deleted(@ZodParam('tenantId', idSchema) tenantId: string, @ZodParam('backupId', backupIdSchema) backupId: string) {
    const state = await answering(() => this.lifecycle.keys.deleteBackup(tenantId, backupId));
    return { ...state.backups.find((x) => x.backupId === backupId)! };
  }

  @Post('backups/:backupId/restore-check')
  @Roles('operator')
  @HttpCode(200)
  restoreCheck(@ZodParam('tenantId', idSchema) tenantId: string, @ZodParam('backupId', backupIdSchema) backupId: string) {
    return answering(() => this.lifecycle.keys.restoreCheck(tenantId, backupId));
  }
}
