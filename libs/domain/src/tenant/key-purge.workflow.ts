// The purge check of a shred whose vault purges after destroying (ARCHITECTURE §3 "Deletion": Lethe
// records unusable and purged apart). KeyDestroyed says when each version's purge is expected; a
// durable timer then asks the vault, and records KeyMaterialPurged once it reports every version
// purged. Until then it asks again, less often the longer the purge is overdue.
import { keyMaterialPurgeExpectedAt, type TenantState } from './tenant.state.js';

export type PurgeCheckAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'wait'; readonly until: string }
  | { readonly kind: 'check'; readonly expectedAt: string | null; readonly overdue: boolean };

const HOUR_MS = 3_600_000;
/** A purge not seen this long after its expected instant is overdue (an alert). */
export const PURGE_OVERDUE_AFTER_MS = 24 * HOUR_MS;
/** How often a purge not seen yet is asked about: from 1 hour, growing with how late it is, to 1 day. */
const MIN_RECHECK_MS = HOUR_MS;
const MAX_RECHECK_MS = 24 * HOUR_MS;

/** Whether and when to ask the vault about the shred's purge. */
export function nextPurgeCheck(state: TenantState, now: Date): PurgeCheckAction {
  const s = state.shred;
  if (!s || !s.keysDestroyedAt || s.keyMaterialPurgedAt) return { kind: 'none' };
  if (s.destroyedKeyVersions.every((v) => v.purgedAt !== null)) return { kind: 'none' };
  const expectedAt = keyMaterialPurgeExpectedAt(s);
  if (expectedAt && new Date(expectedAt).getTime() > now.getTime()) return { kind: 'wait', until: expectedAt };
  const overdue = expectedAt !== null && now.getTime() - new Date(expectedAt).getTime() > PURGE_OVERDUE_AFTER_MS;
  return { kind: 'check', expectedAt, overdue };
}

/**
 * When to ask again after the vault did not report the purge at `now`: the time since the expected
 * instant (unknown: since the key was destroyed), kept within 1 hour and 1 day.
 */
export function purgeRecheckAt(sinceIso: string, now: Date): string {
  const late = now.getTime() - new Date(sinceIso).getTime();
  return new Date(now.getTime() + Math.min(MAX_RECHECK_MS, Math.max(MIN_RECHECK_MS, late))).toISOString();
}
