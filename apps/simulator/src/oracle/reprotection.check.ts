// P2: every database of the tenant (onboarding's and those added since, per the facts) is protected by
// the tenant key, and re-protected with every new version — created by Lethe, or created by the client
// in its vault and detected — within 24 hours of the version's creation in the vault. A version the
// vault holds that Lethe never recorded was never re-protected to.
import { withVaultOutages } from './outages.js';
import { IMMEDIATE_SLACK_MS, REPROTECT_WITHIN_MS } from './slack.js';
import { iso, shredStartedAt, type TenantCheck } from './tenant-check.js';

export function checkReprotection(c: TenantCheck): void {
  const { facts, record } = c;
  const over = shredStartedAt(c);
  const live = (limit: number) => over === null || over > limit;

  // Every database protected from the moment it is onboarded or added.
  for (const db of facts.databases) {
    const limit = withVaultOutages(c.outages, db.addedAt, db.addedAt + IMMEDIATE_SLACK_MS);
    if (!live(limit) || c.isSettled(`protect:${db.databaseId}`)) continue;
    const first = record.intervals.get(db.databaseId)?.[0];
    const expected = () => `database ${db.databaseId} (onboarded or added ${iso(db.addedAt)}) protected by the tenant key by ${iso(limit)}`;
    if (first) {
      c.settle(`protect:${db.databaseId}`);
      if (first.from > limit) c.violation(`protect:${db.databaseId}`, 'P2', expected(), `protected from ${iso(first.from)}`);
    } else if (c.now > limit) {
      c.violation(`protect:${db.databaseId}`, 'P2', expected, () => `not protected by ${iso(c.now)}`);
    } else {
      c.recheckAfter(limit);
    }
  }

  // Every version after the first: each database already protected then reaches it (or a newer one) in 24 h.
  for (const v of record.versions) {
    if (v.index === 0 || c.isSettled(`reprotect:${v.keyVersionId}`)) continue;
    const appeared = v.createdAt;
    const limit = withVaultOutages(c.outages, appeared, appeared + REPROTECT_WITHIN_MS);
    if (!live(limit)) continue;
    // Past its limit every database was judged: reached in time, late, or never.
    if (c.now > limit) c.settle(`reprotect:${v.keyVersionId}`);
    for (const db of facts.databases) {
      const subject = `reprotect:${v.keyVersionId}:${db.databaseId}`;
      if (c.isSettled(subject)) continue;
      const intervals = record.intervals.get(db.databaseId);
      if (!intervals || intervals[0].from >= appeared) continue;
      const reached = intervals.find((i) => (record.versionById.get(i.keyVersionId)?.index ?? -1) >= v.index);
      const expected = () => `database ${db.databaseId} on key version ${v.keyVersionId} (created ${iso(appeared)}) or a newer one by ${iso(limit)}`;
      if (reached) {
        c.settle(subject);
        c.margins.reprotection(reached.from - appeared);
        if (reached.from > limit) c.violation(subject, 'P2', expected(), `re-protected ${iso(reached.from)}`);
      } else if (c.now > limit) {
        c.violation(subject, 'P2', expected, () => `still on an older version at ${iso(c.now)}`);
      } else {
        c.recheckAfter(limit);
      }
    }
  }

  // Versions in the vault Lethe never recorded (a client rotation not detected).
  for (const v of c.vaultKey?.versions ?? []) {
    if (record.versionById.has(v.versionId)) continue;
    const appeared = v.createdAt.getTime();
    const limit = withVaultOutages(c.outages, appeared, appeared + REPROTECT_WITHIN_MS);
    if (!live(limit)) continue;
    if (c.now > limit) {
      c.violation(
        `detect:${v.versionId}`,
        'P2',
        () => `key version ${v.versionId}, created in the vault ${iso(appeared)}, detected and every database on it by ${iso(limit)}`,
        () => `Lethe has not recorded it by ${iso(c.now)}`,
      );
    } else {
      c.recheckAfter(limit);
    }
  }
}
