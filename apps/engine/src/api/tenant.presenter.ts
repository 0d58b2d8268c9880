// Response bodies of /v1/tenants and /v1/shreds, typed with their schemas in tenant.answers.ts.
import { shredProgress, tenantStatus, type KeyRingState, type TenantState } from '@lethe/domain';
import type { ListedTenant, ShredAnswer, TenantDetails } from '@lethe/lifecycle';
import { shredView, type KeyRingView, type Page, type ShredRow, type ShredView, type TenantView } from '@lethe/readmodel';
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

/** A tenant from the read model, with its shred; the calendar choices come from the folded state it keeps. */
function viewBody(view: TenantView, ring: KeyRingView | null): TenantAnswer {
  return {
    tenantId: view.tenantId,
    status: view.status,
    jurisdiction: view.jurisdiction,
    timeZone: view.timeZone,
    keyCustody: view.keyCustody,
    backupKeyMode: view.backupKeyMode,
    shredGraceWorkingDays: view.shredGraceWorkingDays,
    excludedHolidayTypes: view.state.excludedHolidayTypes,
    partialHolidays: view.state.partialHolidays,
    databases: ring ? ring.databases.map((d) => ({ databaseId: d.databaseId })) : databasesOf(view.state, null),
    onboardedAt: view.onboardedAt.toISOString(),
    shred: view.shred && shredBody(view.shred),
  };
}

/** GET /v1/tenants/{id}; the caller answers 404 for null. */
export function tenantDetailsBody(details: NonNullable<TenantDetails>): TenantAnswer {
  return details.source === 'read-model' ? viewBody(details.view, details.ring) : tenantBody(details.tenant, details.keyRing);
}

export function tenantPageBody(page: Page<ListedTenant>): TenantPageAnswer {
  return { items: page.items.map((t) => viewBody(t.view, t.ring)), nextCursor: page.nextCursor };
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
