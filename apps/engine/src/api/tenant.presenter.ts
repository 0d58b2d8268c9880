// Response bodies of /v1/tenants and /v1/shreds, typed with their schemas in tenant.answers.ts.
import { shredProgress, tenantStatus, type KeyRingState, type TenantState } from '@lethe/domain';
import type { ShredAnswer, TenantDetails, TenantRow } from '@lethe/lifecycle';
import { shredView, type Page, type ShredRow, type ShredView } from '@lethe/readmodel';
import type { CancelAnswer, ShredPageAnswer, ShredScheduleAnswer, TenantAnswer, TenantPageAnswer } from './tenant.answers.js';

/**
 * The databases to show for a tenant: the key ring's (their owner), or, while the ring is still being
 * opened, the ones onboarding asked for.
 */
function databasesOf(tenant: TenantState, ring: Pick<KeyRingState, 'exists' | 'databases'> | null): { databaseId: string }[] {
  if (ring?.exists) return ring.databases.map((d) => ({ databaseId: d.databaseId }));
  return (tenant.profile?.databases ?? []).map((d) => ({ databaseId: d.databaseId }));
}

/** A stored shred view; those stored before deletion windows lack the key material fields (null then). */
function shredBody(s: ShredView): ShredView {
  return { ...s, keyMaterialPurgedAt: s.keyMaterialPurgedAt ?? null, keyMaterialPurgeExpectedAt: s.keyMaterialPurgeExpectedAt ?? null };
}

/** A tenant from its aggregates (onboarding's answer, or one not projected yet): the same shape as from the read model. */
export function tenantBody(state: TenantState, ring: Pick<KeyRingState, 'exists' | 'databases'> | null): TenantAnswer {
  return {
    tenantId: state.tenantId!,
    status: tenantStatus(state),
    jurisdiction: state.jurisdiction!,
    timeZone: state.timeZone!,
    keyCustody: state.keyCustody!,
    backupKeyMode: state.backupKeyMode!,
    shredGraceWorkingDays: state.shredGraceWorkingDays,
    excludedHolidayTypes: state.excludedHolidayTypes,
    partialHolidays: state.partialHolidays,
    databases: databasesOf(state, ring),
    onboardedAt: state.onboardedAt!,
    shred: shredView(state),
  };
}

/** A tenant from the read model. */
function rowBody(row: TenantRow): TenantAnswer {
  return { ...row, databases: [...row.databases], shred: row.shred && shredBody(row.shred) };
}

/** GET /v1/tenants/{id}; the caller answers 404 for null. */
export function tenantDetailsBody(details: NonNullable<TenantDetails>): TenantAnswer {
  return details.source === 'read-model' ? rowBody(details.row) : tenantBody(details.tenant, details.keyRing);
}

export function tenantPageBody(page: Page<TenantRow>): TenantPageAnswer {
  return { items: page.items.map(rowBody), nextCursor: page.nextCursor };
}

export function shredPageBody(page: Page<ShredRow>): ShredPageAnswer {
  return { items: page.items.map((s) => ({ tenantId: s.tenantId, ...shredBody(s.shred) })), nextCursor: page.nextCursor };
}

/** The tenant is active again; the cancelled shred stands beside it. */
export function cancelBody(tenantId: string, state: TenantState): CancelAnswer {
  const shred = state.shred!;
  return { tenantId, status: tenantStatus(state), shred: { shredId: shred.shredId, status: shredProgress(shred), cancelledAt: shred.cancelledAt }, cancelledAt: shred.cancelledAt };
}

export function shredAnswerBody(answer: ShredAnswer): ShredScheduleAnswer {
  return { ...answer };
}
