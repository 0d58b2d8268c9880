// P1: every active tenant key has a version younger than its rotation period (the period in force,
// per the facts; a change applies from the moment it is made). A managed key: Lethe creates the next
// version by then. A client-held key: the client rotates in its vault; when it has not by then, Lethe
// records KeyRotationDue for the newest version at that instant.
import { inForce, type Setting } from './fleet-model.js';
import { DAY_MS, ROTATION_TOLERANCE_MS } from './slack.js';
import { iso, shredStartedAt, type TenantCheck } from './tenant-check.js';
import { withVaultOutages } from './outages.js';

/**
 * The first instant at which a version created at `createdAt` is as old as the period in force then:
 * within each stretch of one period, max(start of the stretch, createdAt + period). A period
 * shortened below the version's age makes it due at the change itself.
 */
export function rotationDueAt(createdAt: number, periods: readonly Setting[]): number {
  for (let k = 0; k < periods.length; k++) {
    const start = Math.max(k === 0 ? createdAt : periods[k].from, createdAt);
    const end = k + 1 < periods.length ? periods[k + 1].from : Number.POSITIVE_INFINITY;
    if (start > end) continue;
    const due = Math.max(start, createdAt + periods[k].value * DAY_MS);
    if (due <= end) return due;
  }
  // Unreachable: the last stretch is open-ended.
  return createdAt + inForce(periods, createdAt) * DAY_MS;
}

export function checkRotation(c: TenantCheck): void {
  const { facts, record } = c;
  if (record.versions.length === 0) return;
  const over = shredStartedAt(c);
  const managed = facts.spec.keyCustody === 'managed';
  // Managed: the versions Lethe recorded. Client-held: what the client did in its vault counts, seen by Lethe or not.
  const created =
    managed || !c.vaultKey
      ? record.versions.map((v) => ({ id: v.keyVersionId, createdAt: v.createdAt }))
      : c.vaultKey.versions.map((v) => ({ id: v.versionId, createdAt: v.createdAt.getTime() }));
  for (let i = 0; i < created.length; i++) {
    const v = created[i];
    const next = created[i + 1];
    // A version with a successor, judged once, never changes again.
    if (next && c.isSettled(`rotation:${v.id}`)) continue;
    if (next) c.settle(`rotation:${v.id}`);
    const due = rotationDueAt(v.createdAt, facts.rotationPeriods);
    if (over !== null && over <= due) continue;
    if (managed) {
      const limit = withVaultOutages(c.outages, due, due + ROTATION_TOLERANCE_MS);
      if (next) {
        c.margins.rotation(due - next.createdAt);
        if (next.createdAt > limit) {
          c.violation(`rotate:${v.id}`, 'P1', `a new key version by ${iso(limit)} (version ${v.id} created ${iso(v.createdAt)} reaches the rotation period then)`, `the next version was created ${iso(next.createdAt)}`);
        }
      } else if (c.now > limit) {
        c.violation(`rotate:${v.id}`, 'P1', () => `a new key version by ${iso(limit)} (version ${v.id} created ${iso(v.createdAt)} reaches the rotation period then)`, () => `none by ${iso(c.now)}`);
      } else {
        c.recheckAfter(limit);
      }
      continue;
    }
    if (next && next.createdAt <= due) continue;
    const flagged = record.rotationDue.find((d) => d.keyVersionId === v.id);
    const limit = due + ROTATION_TOLERANCE_MS;
    const expected = () => `KeyRotationDue for the client-held version ${v.id} (created ${iso(v.createdAt)}) by ${iso(limit)}, the client not having rotated by then`;
    if (flagged) {
      if (flagged.recordedAt > limit) c.violation(`rotation-due:${v.id}`, 'P1', expected(), `recorded ${iso(flagged.recordedAt)}`);
    } else if (c.now > limit) {
      c.violation(`rotation-due:${v.id}`, 'P1', expected, () => `not recorded by ${iso(c.now)}`);
    } else {
      c.recheckAfter(limit);
    }
  }
}
