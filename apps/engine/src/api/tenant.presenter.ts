// Response bodies of /v1/tenants and /v1/shreds.
import { shredProgress, tenantStatus, type KeyRingState, type TenantState } from '@lethe/domain';
import type { ListedTenant, Page, ShredAnswer, TenantDetails } from '@lethe/lifecycle';
import type { KeyRingView, ShredRow, TenantView } from '@lethe/readmodel';

/**
 * The databases to show for a tenant: the key ring's (their owner), or, while the ring is still being
 * opened, the ones onboarding asked for.
 */
function databasesOf(tenant: TenantState, ring: Pick<KeyRingState, 'exists' | 'databases'> | null): { databaseId: string }[] {
  if (ring?.exists) return ring.databases.map((d) => ({ databaseId: d.databaseId }));
  return (tenant.profile?.databases ?? []).map((d) => ({ databaseId: d.databaseId }));
}

/** A tenant from its aggregates (onboarding's answer, or one not projected yet). */
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

/** A tenant from the read model, with its shred. */
function viewBody(view: TenantView, ring: KeyRingView | null) {
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

/** GET /v1/tenants/{id}; the caller answers 404 for null. */
export function tenantDetailsBody(details: NonNullable<TenantDetails>) {
  return details.source === 'read-model' ? viewBody(details.view, details.ring) : { ...tenantBody(details.tenant, details.keyRing), shred: null };
}

export function tenantPageBody(page: Page<ListedTenant>) {
  return { items: page.items.map((t) => viewBody(t.view, t.ring)), nextCursor: page.nextCursor };
}

export function shredPageBody(page: Page<ShredRow>) {
  return { items: page.items.map((s) => ({ tenantId: s.tenantId, ...s.shred })), nextCursor: page.nextCursor };
}

/** The tenant is active again; the cancelled shred stands beside it. */
export function cancelBody(tenantId: string, state: TenantState) {
  const shred = state.shred!;
  return { tenantId, status: tenantStatus(state), shred: { shredId: shred.shredId, status: shredProgress(shred), cancelledAt: shred.cancelledAt }, cancelledAt: shred.cancelledAt };
}

export function shredAnswerBody(answer: ShredAnswer) {
  return { ...answer };
}
