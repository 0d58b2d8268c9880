// /v1/tenants: onboarding, termination and deletion reports, shred cancellation, the tenant's
// status and its deletion certificate.
import { Controller, Get, HttpCode, Inject, Post, StreamableFile } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { tenantStatus, type KeyRingState, type TenantState } from '@lethe/domain';
import type { Lifecycle } from '@lethe/lifecycle';
import { KeyRingView, TenantView } from '@lethe/readmodel';
import { Idempotent, ProblemException, Roles, ZodBody, ZodParam } from '../http/index.js';
import { answering } from './domain-errors.js';
import { LIFECYCLE } from './lifecycle.token.js';
import { cancelShredSchema, deletionRequestSchema, idSchema, onboardTenantSchema, terminationSchema } from './tenant.schemas.js';
import type { z } from 'zod';

/**
 * The databases to show for a tenant: the key ring's (their owner), or, while the ring is still being
 * opened, the ones onboarding asked for.
 */
function databasesOf(tenant: TenantState, ring: Pick<KeyRingState, 'exists' | 'databases'> | null): { databaseId: string }[] {
  if (ring?.exists) return ring.databases.map((d) => ({ databaseId: d.databaseId }));
  return (tenant.profile?.databases ?? []).map((d) => ({ databaseId: d.databaseId }));
}

export function tenantBody(state: TenantState, ring: Pick<KeyRingState, 'exists' | 'databases'> | null) {
  return {
    tenantId: state.tenantId,
    status: tenantStatus(state),
    jurisdiction: state.jurisdiction,
    timeZone: state.timeZone,
    keyCustody: state.keyCustody,
    backupKeyMode: state.backupKeyMode,
    shredGraceWorkingDays: state.shredGraceWorkingDays,
    excludedHolidayTypes: state.excludedHolidayTypes,
    partialHolidays: state.partialHolidays,
    databases: databasesOf(state, ring),
    onboardedAt: state.onboardedAt,
  };
}

export function viewBody(view: TenantView, ring: KeyRingView | null) {
  return {
    tenantId: view.tenantId,
    status: view.status,
    jurisdiction: view.jurisdiction,
    timeZone: view.timeZone,
    keyCustody: view.keyCustody,
    backupKeyMode: view.backupKeyMode,
    shredGraceWorkingDays: view.shredGraceWorkingDays,
    databases: ring ? ring.databases.map((d) => ({ databaseId: d.databaseId })) : databasesOf(view.state, null),
    onboardedAt: view.onboardedAt.toISOString(),
    shred: view.shred,
  };
}

@Controller('v1/tenants')
export class TenantsController {
  constructor(
    @Inject(LIFECYCLE) private readonly lifecycle: Lifecycle,
    @InjectRepository(TenantView) private readonly views: Repository<TenantView>,
    @InjectRepository(KeyRingView) private readonly rings: Repository<KeyRingView>,
  ) {}

  @Post()
  @Roles('operator')
  @HttpCode(201)
  async onboard(@ZodBody(onboardTenantSchema) body: z.output<typeof onboardTenantSchema>) {
    const { tenant, keyRing } = await answering(() => this.lifecycle.tenants.onboard(body));
    return tenantBody(tenant, keyRing);
  }

  @Get(':tenantId')
  @Roles('ops-reader')
  async get(@ZodParam('tenantId', idSchema) tenantId: string) {
    const view = await this.views.findOneBy({ tenantId });
    const ring = await this.rings.findOneBy({ tenantId });
    if (view) return viewBody(view, ring);
    // Just onboarded and not yet projected: answer from the aggregates rather than a false 404.
    const { state } = await this.lifecycle.repository.load(tenantId);
    if (!state.exists) throw ProblemException.notFound('tenant not found');
    const { state: keyRing } = await this.lifecycle.keyRings.load(tenantId);
    return { ...tenantBody(state, keyRing), shred: null };
  }

  @Post(':tenantId/terminations')
  @Roles('contract-system')
  @HttpCode(202)
  @Idempotent({ key: (body) => (body as { terminationId?: unknown } | undefined)?.terminationId, keyName: 'terminationId' })
  async terminate(@ZodParam('tenantId', idSchema) tenantId: string, @ZodBody(terminationSchema) body: z.output<typeof terminationSchema>) {
    return answering(() => this.lifecycle.tenants.terminate(tenantId, body));
  }

  @Post(':tenantId/deletion-requests')
  @Roles('contract-system')
  @HttpCode(202)
  @Idempotent({ key: (body) => (body as { requestId?: unknown } | undefined)?.requestId, keyName: 'requestId' })
  async requestDeletion(
    @ZodParam('tenantId', idSchema) tenantId: string,
    @ZodBody(deletionRequestSchema) body: z.output<typeof deletionRequestSchema>,
  ) {
    return answering(() => this.lifecycle.tenants.requestDeletion(tenantId, body));
  }

  @Post(':tenantId/shred/cancel')
  @Roles('operator')
  @HttpCode(200)
  @Idempotent({ key: 'header' })
  async cancel(@ZodParam('tenantId', idSchema) tenantId: string, @ZodBody(cancelShredSchema) body: z.output<typeof cancelShredSchema>) {
    const state = await answering(() => this.lifecycle.tenants.cancelShred(tenantId, body.reason, randomUUID()));
    return { tenantId, status: tenantStatus(state), cancelledAt: state.shred?.cancelledAt ?? null };
  }

  @Get(':tenantId/deletion-certificate')
  @Roles('ops-reader')
  async certificate(@ZodParam('tenantId', idSchema) tenantId: string) {
    // The bytes stored at issuance, as they are: never rebuilt or re-signed.
    const issued = await this.lifecycle.certificates.certificateFor(tenantId);
    if (!issued) throw ProblemException.notFound('no deletion certificate for this tenant (yet): it is issued once the shred is verified');
    return new StreamableFile(issued, { type: 'application/json', length: issued.length });
  }
}

