// Version retention (P3): a superseded version stays usable exactly as long as a database or an
// unexpired backup still needs it — and at least its last use plus the point-in-time retention
// window, because restore points are made continuously whether or not a backup has been
// registered yet — then it is retired, never earlier. Pure functions of the key ring's state; the
// lifecycle keeps a timer at each version's `retainUntil` and sends RetireKeyVersion then, which
// re-checks the live state. A retired version enabled again under a break-glass grant
// (KeyVersionEnabled) is needed until the grant's window end too, and so is retired again after it.
import { isLaterInstant } from '../shared/canonical-instant.js';
import { addDays, findVersion, newestVersion, type BackupState, type KeyRingState } from './key-ring.state.js';

const ms = (instant: string) => Date.parse(instant);

/** A backup can still be restored: not deleted and not yet expired. */
export function isLive(backup: BackupState, now: Date): boolean {
  return backup.deletedAt === null && ms(backup.expiresAt) > now.getTime();
}

/**
 * Backups (ids) that list the version among the ones they need and were not deleted; with `now`,
 * only those that have not expired either.
 */
export function backupsHolding(state: KeyRingState, keyVersionId: string, now?: Date): string[] {
  return state.backups
    .filter((b) => b.deletedAt === null && b.keyVersionIds.includes(keyVersionId) && (!now || isLive(b, now)))
    .map((b) => b.backupId);
}

/**
 * Until when the version must stay usable. Null = indefinitely (it is the newest, or a database is
 * still on it) or not applicable (unknown version, destroyed ring). Otherwise the latest of: the
 * moment it stopped protecting its last database plus `pitrRetentionDays` (the restore points made
 * under it), the expiry of every non-deleted backup that needs it (but one recorded after the version
 * was retired, flagged unrestorable for it), and — for a version that never
 * protected anything, so no restore point needs it — the creation of the version that superseded
 * it, and the end of a break-glass re-enabling (`enabledUntil`). Expired backups are included (their expiry is in the past anyway), so the answer is a
 * function of the history and the policy alone: `now` does not change it.
 */
export function retainUntil(state: KeyRingState, keyVersionId: string): string | null {
  return retainUntilOfVersions(state, new Set([keyVersionId])).get(keyVersionId) ?? null;
}

/** The later of the two instants (`current` on a tie: the first of equal needs wins). */
const later = (current: string | undefined, at: string): string => (current === undefined || isLaterInstant(at, current) ? at : current);

/**
 * retainUntil (above) of the versions in `only`, or of every version: keyVersionId → instant or
 * null, for each version of the ring that was asked for. One pass over the ring's databases and one
 * over its backups, however many versions are asked for: after years a ring holds thousands of
 * backups and dozens of versions, and the compliance facts and the retention timers need them all.
 */
export function retainUntilOfVersions(state: KeyRingState, only?: ReadonlySet<string>): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (const v of state.versions) if (!only || only.has(v.keyVersionId)) out.set(v.keyVersionId, null);
  if (state.destroyed || out.size === 0) return out;
  const newestId = newestVersion(state)?.keyVersionId;
  const lastUseOf = new Map<string, string>();
  const stillOn = new Set<string>();
  for (const db of state.databases) {
    const open = db.intervals[db.intervals.length - 1];
    if (open) stillOn.add(open.keyVersionId);
    for (const i of db.intervals) if (i.to !== null && out.has(i.keyVersionId)) lastUseOf.set(i.keyVersionId, later(lastUseOf.get(i.keyVersionId), i.to));
  }
  const needs = new Map<string, string>();
  state.versions.forEach((v, index) => {
    const id = v.keyVersionId;
    if (!out.has(id) || needs.has(id) || id === newestId || stillOn.has(id)) return;
    const last = lastUseOf.get(id);
    needs.set(id, last === undefined ? state.versions[index + 1]!.createdAt : addDays(last, state.pitrRetentionDays));
  });
  if (needs.size > 0) {
    for (const b of state.backups) {
      if (b.deletedAt !== null) continue;
      for (const id of b.keyVersionIds) {
        const current = needs.get(id);
        // A backup recorded after the version was retired (flagged unrestorable for it) never holds it:
        // enabled again under break-glass, the version lives until the grant's window end, not the backup's.
        if (current === undefined || b.unrestorable?.keyVersionIds.includes(id)) continue;
        needs.set(id, later(current, b.expiresAt));
      }
    }
  }
  for (const v of state.versions) {
    const need = needs.get(v.keyVersionId);
    if (need === undefined || out.get(v.keyVersionId) !== null) continue;
    out.set(v.keyVersionId, v.enabledUntil === null ? need : later(need, v.enabledUntil));
  }
  return out;
}

/**
 * The timers the lifecycle should hold: every version not yet retired whose retainUntil is known;
 * with `only`, just those of the versions it names (see versionsExtendedBy).
 */
export function retentionTimers(state: KeyRingState, only?: ReadonlySet<string>): { readonly keyVersionId: string; readonly retainUntil: string }[] {
  if (state.destroyed) return [];
  const until = retainUntilOfVersions(state, new Set(state.versions.filter((v) => !v.retiredAt && (!only || only.has(v.keyVersionId))).map((v) => v.keyVersionId)));
  return state.versions.flatMap((v) => {
    const at = until.get(v.keyVersionId);
    return at ? [{ keyVersionId: v.keyVersionId, retainUntil: at }] : [];
  });
}

/**
 * The versions whose retainUntil a BackupRecorded can change: the ones the backup needs, and only
 * later (a backup adds a need and removes none; one flagged unrestorable for a version holds it
 * not at all). Every other version's retainUntil is as before the event, so its timer stands.
 */
export function versionsExtendedBy(recorded: { readonly keyVersionIds: readonly string[] }): readonly string[] {
  return recorded.keyVersionIds;
}

/** Whether RetireKeyVersion would retire the version at `now`. */
export function isRetirable(state: KeyRingState, keyVersionId: string, now: Date): boolean {
  const v = findVersion(state, keyVersionId);
  if (!v || v.retiredAt || state.destroyed) return false;
  const until = retainUntil(state, keyVersionId);
  return until !== null && now.getTime() >= ms(until);
}

/**
 * The versions a backup recorded now would need but that are already retired (in ring order):
 * such a backup is recorded flagged, not restorable from them.
 */
export function retiredAmong(state: KeyRingState, keyVersionIds: readonly string[]): string[] {
  return keyVersionIds.filter((id) => findVersion(state, id)?.retiredAt);
}

/** Backups flagged unrestorable that still count against P3: not deleted and not yet expired. */
export function unrestorableBackups(state: KeyRingState, now: Date): BackupState[] {
  return state.backups.filter((b) => b.unrestorable !== null && isLive(b, now));
}
