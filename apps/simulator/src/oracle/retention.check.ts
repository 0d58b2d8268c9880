// P3: a superseded version is retired no earlier than the latest of its last use by any database plus
// the point-in-time window in force, and the end of every backup that needs it (its expiry, as moved
// by retention changes; its deletion when deleted early) — and not much later either
// (RETIREMENT_SLACK_MS). The vault must not disable or destroy it before then; once retired, it must
// be unusable in the vault, and destroyed once its grace (RETIRED_KEY_GRACE_DAYS) is over — not
// before, when break-glass could still need it, nor much later. A backup registered that needs a
// version already retired is flagged.
//
// Facts of the very instant of a retirement are read both ways (known before it, or not): the
// driver applies facts after the timers due at that instant, so either order can be right.
import type { BackupNeeds } from './backup-needs.js';
import { backupNeedEnds, inForce, type BackupFact } from './fleet-model.js';
import type { SeenBackup, SeenVersion } from './lethe-record.js';
import type { VaultVersion } from './vault-snapshot.js';
import { withVaultOutages } from './outages.js';
import { RETIRED_KEY_GRACE_DAYS } from './engine-settings.js';
import { DAY_MS, RETIREMENT_SLACK_MS } from './slack.js';
import { iso, shredStartedAt, type TenantCheck } from './tenant-check.js';

interface Use {
  /** A database is still on the version at the instant asked. */
  readonly stillUsedBy: string | null;
  /** When it stopped protecting its last database (null: never protected one). */
  readonly lastUse: number | null;
}

function useOf(c: TenantCheck, keyVersionId: string, at: number): Use {
  let lastUse: number | null = null;
  for (const [databaseId, intervals] of c.record.intervals) {
    for (const i of intervals) {
      if (i.keyVersionId !== keyVersionId || i.from > at) continue;
      if (i.to === null || i.to > at) return { stillUsedBy: databaseId, lastUse: null };
      if (lastUse === null || i.to > lastUse) lastUse = i.to;
    }
  }
  return { stillUsedBy: null, lastUse };
}

/**
 * The earliest instant the version may be retired, judged at `at` with the facts known strictly
 * before `at` (`strict`) or also those of `at`, reading backup needs strictly (half-open intervals).
 */
function earliestRetirement(c: TenantCheck, needs: BackupNeeds, v: SeenVersion, use: Use, at: number, strict: boolean): { at: number; why: string } {
  const successor = c.record.versions[v.index + 1];
  let earliest: number;
  let why: string;
  if (use.lastUse === null) {
    earliest = successor.createdAt;
    why = `superseded ${iso(successor.createdAt)}, never having protected a database`;
  } else {
    const window = inForce(c.facts.pitrWindows, at, strict);
    earliest = use.lastUse + window * DAY_MS;
    why = `last used ${iso(use.lastUse)} + point-in-time window ${window} days`;
  }
  for (const b of needs.of(v.keyVersionId)) {
    if (!b.needs?.strict.has(v.keyVersionId)) continue;
    if (strict ? b.registeredAt >= at : b.registeredAt > at) continue;
    const end = backupNeedEnds(b, at, strict);
    if (end > earliest) {
      earliest = end;
      why = `backup ${b.backupId} (database ${b.databaseId}, covering ${iso(b.coveredFrom)}..${iso(b.takenAt)}) needs it until ${iso(end)}`;
    }
  }
  return { at: earliest, why };
}

/** Judges a retirement (or a disable in the vault) at `at`: a violation unless both readings allow it. */
function judgeEarly(c: TenantCheck, needs: BackupNeeds, v: SeenVersion, at: number, subject: string, what: string): void {
  const use = useOf(c, v.keyVersionId, at);
  if (use.stillUsedBy !== null) {
    c.violation(subject, 'P3', `key version ${v.keyVersionId} kept while database ${use.stillUsedBy} is on it`, `${what} ${iso(at)}`);
    return;
  }
  const before = earliestRetirement(c, needs, v, use, at, true);
  const including = earliestRetirement(c, needs, v, use, at, false);
  const allowed = before.at <= including.at ? before : including;
  if (subject.startsWith('retired:')) c.margins.retirement(at - allowed.at);
  if (at < allowed.at) c.violation(subject, 'P3', `key version ${v.keyVersionId} retired no earlier than ${iso(allowed.at)} (${allowed.why})`, `${what} ${iso(at)}`);
}

/** When the vault stopped letting the version be used by retirement (not by the tenant's shred). */
function disabledInVault(c: TenantCheck, keyVersionId: string): number | null {
  const v = c.vaultKey?.versions.find((x) => x.versionId === keyVersionId);
  if (!v || v.state === 'enabled') return null;
  if (v.disabledAt) return v.disabledAt.getTime();
  const tomb = c.vaultKey?.tombstonedAt?.getTime() ?? null;
  const unusable = v.unusableAt?.getTime() ?? null;
  if (unusable === null || (tomb !== null && unusable >= tomb)) return null;
  return unusable;
}

export function checkRetention(c: TenantCheck, needs: BackupNeeds): void {
  const { record } = c;
  const over = shredStartedAt(c);
  const last = record.versions.length - 1;
  for (const v of record.versions) {
    if (c.isSettled(`version:${v.keyVersionId}`)) continue;
    if (v.index === last) {
      if (v.retiredAt !== null && !c.judged(`retired:${v.keyVersionId}`)) {
        c.violation(`retired:${v.keyVersionId}`, 'P3', `key version ${v.keyVersionId}, the newest, kept`, `retired ${iso(v.retiredAt)}`);
      }
      continue;
    }
    if (v.retiredAt !== null && !c.judged(`retired:${v.keyVersionId}`)) judgeEarly(c, needs, v, v.retiredAt, `retired:${v.keyVersionId}`, 'retired');
    const inVault = c.vaultKey?.versions.find((x) => x.versionId === v.keyVersionId);
    const disabled = disabledInVault(c, v.keyVersionId);
    if (disabled !== null && !c.judged(`vault:${v.keyVersionId}`)) {
      if (v.retiredAt === null || v.retiredAt > disabled) {
        c.violation(`vault:${v.keyVersionId}`, 'P3', `key version ${v.keyVersionId} usable in the vault until Lethe retires it`, `made unusable in the vault ${iso(disabled)}, ${v.retiredAt === null ? 'never retired' : `retired ${iso(v.retiredAt)}`}`);
      } else {
        judgeEarly(c, needs, v, disabled, `vault:${v.keyVersionId}`, 'made unusable in the vault');
      }
    }
    if (v.retiredAt === null) checkNotRetiredLate(c, needs, v, over);
    else if (inVault?.state === 'enabled') checkUnusableAfterRetirement(c, v, v.retiredAt, over);
    else if (inVault) checkDestroyedAfterGrace(c, v, v.retiredAt, inVault, over);
  }
}

function checkNotRetiredLate(c: TenantCheck, needs: BackupNeeds, v: SeenVersion, over: number | null): void {
  const use = useOf(c, v.keyVersionId, c.now);
  if (use.stillUsedBy !== null) return;
  const successor = c.record.versions[v.index + 1];
  // The loose, later reading of every fact so far: the latest Lethe may be right to keep it.
  let retirable = use.lastUse === null ? successor.createdAt : use.lastUse + inForce(c.facts.pitrWindows, c.now) * DAY_MS;
  const backups = needs.latestEnd(v.keyVersionId);
  const byBackup = backups.end > retirable;
  if (byBackup) retirable = backups.end;
  const why = () =>
    byBackup
      ? `backup ${backups.backupId} needs it until ${iso(backups.end)}`
      : use.lastUse === null
        ? 'superseded, never having protected a database'
        : `last used ${iso(use.lastUse)} + point-in-time window`;
  // A setting changed since (a shorter window, a backup deleted) makes it retirable from the change.
  for (const w of c.facts.pitrWindows.slice(1)) retirable = Math.max(retirable, w.from);
  retirable = Math.max(retirable, needs.lastLowering(v.keyVersionId));
  const limit = retirable + RETIREMENT_SLACK_MS;
  if (over !== null && over <= limit) return;
  if (c.now > limit) {
    c.violation(
      `retire-late:${v.keyVersionId}`,
      'P3',
      () => `key version ${v.keyVersionId} retired by ${iso(limit)} (retirable from ${iso(retirable)}: ${why()})`,
      () => `not retired at ${iso(c.now)}`,
    );
  } else {
    c.recheckAfter(limit);
  }
}

function checkUnusableAfterRetirement(c: TenantCheck, v: SeenVersion, retiredAt: number, over: number | null): void {
  const limit = withVaultOutages(c.outages, retiredAt, retiredAt + RETIREMENT_SLACK_MS);
  if (over !== null && over <= limit) return;
  if (c.now > limit) {
    c.violation(`vault-late:${v.keyVersionId}`, 'P3', () => `key version ${v.keyVersionId}, retired ${iso(retiredAt)}, disabled or destroyed in the vault by ${iso(limit)}`, () => `still enabled at ${iso(c.now)}`);
  } else {
    c.recheckAfter(limit);
  }
}

/**
 * A retired version, disabled in the vault: destroyed by retirement + the grace (+ the retirement's
 * slack, moved by vault outages), never before the grace is over. A shred before then destroys it
 * anyway (the deletion check judges that). Destroyed, nothing about it can change any more.
 */
function checkDestroyedAfterGrace(c: TenantCheck, v: SeenVersion, retiredAt: number, inVault: VaultVersion, over: number | null): void {
  const graceEnd = retiredAt + RETIRED_KEY_GRACE_DAYS * DAY_MS;
  if (inVault.state === 'destroyed') {
    const tomb = c.vaultKey?.tombstonedAt?.getTime() ?? null;
    const destroyedAt = inVault.unusableAt?.getTime() ?? null;
    const byRetirement = destroyedAt !== null && (tomb === null || destroyedAt < tomb);
    if (byRetirement && destroyedAt < graceEnd) {
      c.violation(
        `destroyed-early:${v.keyVersionId}`,
        'P3',
        `key version ${v.keyVersionId}, retired ${iso(retiredAt)}, kept disabled in the vault until ${iso(graceEnd)} (its grace)`,
        `destroyed in the vault ${iso(destroyedAt)}`,
      );
    }
    c.settle(`version:${v.keyVersionId}`);
    return;
  }
  const limit = withVaultOutages(c.outages, graceEnd, graceEnd + RETIREMENT_SLACK_MS);
  if (over !== null && over <= limit) return;
  if (c.now > limit) {
    c.violation(`destroy-late:${v.keyVersionId}`, 'P3', () => `key version ${v.keyVersionId}, retired ${iso(retiredAt)}, destroyed in the vault by ${iso(limit)}`, () => `still ${inVault.state} at ${iso(c.now)}`);
  } else {
    c.recheckAfter(limit);
  }
}

/**
 * Each backup as Lethe recorded it, judged once: a customer-key backup must list the versions that
 * protected its database in its window (P3) and be flagged not restorable when one was retired before
 * it was registered (P3); every backup of a platform-key tenant must be recorded as platform-key, or
 * the shred would not purge it (P4).
 */
export function checkBackups(c: TenantCheck): void {
  const queue = c.record.backupsToJudge;
  for (let i = 0; i < queue.length; ) {
    const seen = queue[i];
    const fact = c.facts.backups.get(seen.backupId);
    if (fact && !fact.needs && c.facts.spec.backupKeyMode !== 'platform') {
      i++; // its needs are judged once Lethe protects its database
      continue;
    }
    queue.splice(i, 1);
    if (c.facts.spec.backupKeyMode === 'platform') {
      if (seen.protection !== 'platform-key') {
        c.violation(`platform-backup:${seen.backupId}`, 'P4', `backup ${seen.backupId} of a platform-key tenant recorded as platform-key (the shred must purge it)`, `recorded as ${seen.protection}`);
      }
      continue;
    }
    if (!fact?.needs || seen.protection !== 'customer-key') continue;
    judgeBackup(c, seen, fact.needs.strict, fact);
  }
}

function judgeBackup(c: TenantCheck, seen: SeenBackup, needed: ReadonlySet<string>, fact: BackupFact): void {
  const missing = [...needed].filter((id) => !seen.keyVersionIds.includes(id));
  if (missing.length > 0) {
    c.violation(
      `backup-needs:${seen.backupId}`,
      'P3',
      `backup ${seen.backupId} recorded as needing key versions ${[...needed].join(', ')} (they protected database ${fact.databaseId} during ${iso(fact.coveredFrom)}..${iso(fact.takenAt)})`,
      `recorded as needing ${seen.keyVersionIds.join(', ') || 'none'}`,
    );
  }
  const retired = [...needed].filter((id) => {
    const v = c.record.versionById.get(id);
    return v?.retiredPosition != null && v.retiredPosition < seen.position;
  });
  const unflagged = retired.filter((id) => !(seen.unrestorable ?? []).includes(id));
  if (unflagged.length > 0) {
    c.violation(
      `backup-flag:${seen.backupId}`,
      'P3',
      `backup ${seen.backupId} flagged not restorable: it needs key version(s) ${retired.join(', ')}, retired before it was registered`,
      seen.unrestorable === null ? 'recorded without the flag' : `flagged for ${seen.unrestorable.join(', ')} only`,
    );
  }
}
