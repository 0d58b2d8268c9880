// The key lifecycle's next moves, decided from the key ring's state and the time alone, like the
// shred's nextShredAction: the lifecycle's durable timers ask, carry out what they are told (a vault
// call, a data-plane call, a command), and ask again. A timer that fires late, twice, or after the
// world changed gets the right answer or nothing to do.
import { reprotectDueBy } from '../promises.js';
import { currentVersionOf, databasesBehind, findVersion, newestVersion, rotationDueAt, versionStatus, type KeyRingState } from './key-ring.state.js';
import { retainUntil } from './retention.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A failed re-protection is tried again this long (ms) later: many tries fit in P2's 24 hours. */
export const REPROTECT_RETRY_MS = 5 * 60 * 1000;
/** A client-held key past its period is looked at again this often (ms) until the client rotates it. */
export const CLIENT_DUE_RECHECK_MS = DAY_MS;

const live = (state: KeyRingState) => state.exists && !state.destroyed && newestVersion(state) !== null;

export type RotationAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'wait'; readonly until: string }
  /** Managed key: create a version in the vault and record it (source 'policy'). */
  | { readonly kind: 'create-version'; readonly supersedes: string }
  /** Client-held key: record KeyRotationDue (once per version) and look again at `recheckAt`. */
  | { readonly kind: 'raise-due'; readonly keyVersionId: string; readonly recheckAt: string };

/**
 * P1: what the rotation timer does at `now`. Nothing for a closed or destroyed ring; wait until the
 * newest version reaches the rotation period; then rotate a managed key, or tell that a client-held
 * key is due (Lethe cannot create its versions; it is out of compliance at 730 days).
 */
export function nextRotation(state: KeyRingState, now: Date): RotationAction {
  if (!live(state)) return { kind: 'none' };
  const due = rotationDueAt(state);
  if (now.getTime() < Date.parse(due)) return { kind: 'wait', until: due };
  const newest = newestVersion(state)!.keyVersionId;
  if (state.keyCustody === 'managed') return { kind: 'create-version', supersedes: newest };
  return { kind: 'raise-due', keyVersionId: newest, recheckAt: new Date(now.getTime() + CLIENT_DUE_RECHECK_MS).toISOString() };
}

/** One database to move onto the newest version. */
export interface Reprotection {
  readonly databaseId: string;
  readonly fromKeyVersionId: string;
  readonly toKeyVersionId: string;
}

/** P2: every database not on the newest version yet, with the move that brings it there. */
export function reprotectionPlan(state: KeyRingState): readonly Reprotection[] {
  if (!live(state)) return [];
  const to = newestVersion(state)!.keyVersionId;
  return databasesBehind(state).map((databaseId) => ({ databaseId, fromKeyVersionId: currentVersionOf(state, databaseId)!, toKeyVersionId: to }));
}

export type OverdueCheck = { readonly kind: 'none' } | { readonly kind: 'flag'; readonly keyVersionId: string; readonly dueBy: string };

/**
 * P2: when the 24 hours after `keyVersionId` appeared are over, flag the databases still behind it
 * (the decider records each once, and only those not on it or a newer version).
 */
export function overdueCheck(state: KeyRingState, keyVersionId: string): OverdueCheck {
  if (!live(state)) return { kind: 'none' };
  const version = findVersion(state, keyVersionId);
  return version ? { kind: 'flag', keyVersionId, dueBy: reprotectDueBy(version.createdAt) } : { kind: 'none' };
}

export type RetirementAction =
  | { readonly kind: 'none'; readonly reason: 'ring-closed' | 'unknown-version' | 'still-needed' | 'destroyed' }
  | { readonly kind: 'wait'; readonly until: string }
  /** Record RetireKeyVersion (the decider re-checks), then disable it in the vault. */
  | { readonly kind: 'retire'; readonly retainUntil: string }
  /** Already retired (a crash interrupted the vault call): disable it, idempotent. */
  | { readonly kind: 'finish-in-vault' };

/**
 * P3: what the retirement timer of `keyVersionId` does at `now`. A version still needed
 * indefinitely (a database is back on it, or it is the newest) does nothing: the key-ring saga sets
 * a new timer when that ends. Before retainUntil it waits; at or after it, it retires.
 */
export function retirementDecision(state: KeyRingState, keyVersionId: string, now: Date): RetirementAction {
  if (!live(state)) return { kind: 'none', reason: 'ring-closed' };
  const version = findVersion(state, keyVersionId);
  if (!version) return { kind: 'none', reason: 'unknown-version' };
  if (version.destroyedAt) return { kind: 'none', reason: 'destroyed' };
  if (versionStatus(state, keyVersionId) === 'retired') return { kind: 'finish-in-vault' };
  const until = retainUntil(state, keyVersionId);
  if (until === null) return { kind: 'none', reason: 'still-needed' };
  return now.getTime() < Date.parse(until) ? { kind: 'wait', until } : { kind: 'retire', retainUntil: until };
}

export type DestructionAction =
  /** Shredded ring (the shred destroyed every version), unknown version, or enabled again since it was retired. */
  | { readonly kind: 'none'; readonly reason: 'ring-closed' | 'unknown-version' | 'not-retired' }
  | { readonly kind: 'wait'; readonly until: string }
  /** Record DestroyKeyVersion (the decider re-checks), then destroy it in the vault. */
  | { readonly kind: 'destroy' }
  /** Already recorded destroyed (a crash interrupted the vault call): destroy it, idempotent. */
  | { readonly kind: 'finish-in-vault' };

/**
 * P3: what the destruction timer of a retired `keyVersionId` does at `now`. It stays disabled until
 * its destroyAt (the grace in which break-glass `key-version.enable` can bring it back), then is
 * destroyed. A version enabled again meanwhile does nothing: its next retirement sets a new timer.
 */
export function destructionDecision(state: KeyRingState, keyVersionId: string, now: Date): DestructionAction {
  if (!live(state)) return { kind: 'none', reason: 'ring-closed' };
  const version = findVersion(state, keyVersionId);
  if (!version) return { kind: 'none', reason: 'unknown-version' };
  if (version.destroyedAt) return { kind: 'finish-in-vault' };
  if (!version.retiredAt || version.destroyAt === null) return { kind: 'none', reason: 'not-retired' };
  return now.getTime() < Date.parse(version.destroyAt) ? { kind: 'wait', until: version.destroyAt } : { kind: 'destroy' };
}

