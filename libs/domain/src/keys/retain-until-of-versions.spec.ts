// retainUntilOfVersions answers in one pass what the P3 rule (retention.ts) says version by version.
// The reference below is that rule written the plain way, one scan of the ring per version; random
// rings (versions retired, destroyed or re-enabled, databases moved between versions, backups needing
// one or several versions, deleted or flagged unrestorable) must get the same answer for every
// version, whether all versions or a few are asked for.
import fc from 'fast-check';
import { addDays, initialKeyRingState, newestVersion, type BackupState, type DatabaseProtection, type KeyRingState, type KeyVersionState } from './key-ring.state.js';
import { retainUntil, retainUntilOfVersions, retentionTimers } from './retention.js';

const DAY = 24 * 60 * 60 * 1000;
const BASE = Date.parse('2030-01-01T00:00:00.000Z');
const iso = (day: number) => new Date(BASE + day * DAY).toISOString();
const ms = (instant: string) => Date.parse(instant);

/** The rule of retention.ts, one version at a time, each need a separate scan. */
function reference(state: KeyRingState, keyVersionId: string): string | null {
  if (state.destroyed) return null;
  const index = state.versions.findIndex((v) => v.keyVersionId === keyVersionId);
  if (index < 0 || newestVersion(state)?.keyVersionId === keyVersionId) return null;
  if (state.databases.some((db) => db.intervals[db.intervals.length - 1]?.keyVersionId === keyVersionId)) return null;
  const ends = state.databases.flatMap((db) => db.intervals.filter((i) => i.keyVersionId === keyVersionId && i.to !== null).map((i) => i.to!));
  const latest = (xs: readonly string[]) => xs.reduce<string | null>((m, x) => (m === null || ms(x) > ms(m) ? x : m), null);
  const last = latest(ends);
  const needs = [
    last === null ? state.versions[index + 1]!.createdAt : addDays(last, state.pitrRetentionDays),
    ...state.backups
      .filter((b) => b.deletedAt === null && b.keyVersionIds.includes(keyVersionId) && !b.unrestorable?.keyVersionIds.includes(keyVersionId))
      .map((b) => b.expiresAt),
    ...(state.versions[index]!.enabledUntil === null ? [] : [state.versions[index]!.enabledUntil!]),
  ];
  return latest(needs);
}

const ring = fc
  .record({
    versions: fc.array(fc.record({ retired: fc.boolean(), enabledFor: fc.option(fc.integer({ min: 1, max: 400 })) }), { minLength: 1, maxLength: 8 }),
    databases: fc.array(fc.array(fc.record({ version: fc.nat(), days: fc.integer({ min: 0, max: 90 }) }), { minLength: 1, maxLength: 5 }), { minLength: 0, maxLength: 4 }),
    backups: fc.array(
      fc.record({
        versions: fc.array(fc.nat(), { minLength: 0, maxLength: 3 }),
        expiresDay: fc.integer({ min: 0, max: 3000 }),
        deleted: fc.boolean(),
        unrestorable: fc.array(fc.nat(), { maxLength: 2 }),
      }),
      { maxLength: 40 },
    ),
    pitrDays: fc.integer({ min: 0, max: 35 }),
    destroyed: fc.boolean(),
  })
  .map(({ versions, databases, backups, pitrDays, destroyed }): KeyRingState => {
    const ids = versions.map((_, i) => `kv-${i}`);
    const pick = (n: number) => ids[n % ids.length]!;
    const vs: KeyVersionState[] = versions.map((v, i) => ({
      keyVersionId: ids[i]!,
      createdAt: iso(i * 100),
      source: 'onboarding',
      retiredAt: v.retired ? iso(i * 100 + 50) : null,
      enabledUntil: v.enabledFor === null ? null : iso(i * 100 + v.enabledFor),
      destroyAt: null,
      destroyedAt: null,
    }));
    const dbs: DatabaseProtection[] = databases.map((steps, d) => {
      let day = 0;
      const intervals = steps.map((s, i) => {
        const from = day;
        day += s.days;
        return { keyVersionId: pick(s.version), from: iso(from), to: i === steps.length - 1 ? null : iso(day) };
      });
      return { databaseId: `db-${d}`, intervals };
    });
    const bs: BackupState[] = backups.map((b, i) => {
      const needs = [...new Set(b.versions.map(pick))];
      const flagged = b.unrestorable.map(pick).filter((id) => needs.includes(id));
      return {
        backupId: `b-${i}`,
        databaseId: 'db-0',
        kind: 'full',
        coveredFrom: iso(0),
        takenAt: iso(0),
        expiresAt: iso(b.expiresDay),
        deletedAt: b.deleted ? iso(1) : null,
        protection: 'customer-key',
        keyVersionIds: needs,
        restoreKeyVersionId: needs[0] ?? null,
        unrestorable: flagged.length > 0 ? { reason: 'key-version-retired', keyVersionIds: flagged } : null,
      };
    });
    return { ...initialKeyRingState, exists: true, tenantId: 't-1', keyId: 'k-1', keyCustody: 'managed', pitrRetentionDays: pitrDays, destroyed, versions: vs, databases: dbs, backups: bs };
  });

describe('retainUntilOfVersions', () => {
  it('given any ring, when every version is asked for at once, then each answer is the rule applied to that version alone', () => {
    fc.assert(
      fc.property(ring, (state) => {
        const all = retainUntilOfVersions(state);
        expect(all.size).toBe(state.versions.length);
        for (const v of state.versions) expect(all.get(v.keyVersionId)).toBe(reference(state, v.keyVersionId));
      }),
      { numRuns: 500 },
    );
  });

  it('given any ring, when some versions are asked for, then exactly those are answered, each as the rule says', () => {
    fc.assert(
      fc.property(ring, fc.array(fc.nat()), (state, picks) => {
        const only = new Set(picks.map((n) => `kv-${n % (state.versions.length + 1)}`));
        const some = retainUntilOfVersions(state, only);
        expect([...some.keys()].sort()).toEqual(state.versions.map((v) => v.keyVersionId).filter((id) => only.has(id)).sort());
        for (const [id, until] of some) expect(until).toBe(reference(state, id));
        for (const v of state.versions) expect(retainUntil(state, v.keyVersionId)).toBe(reference(state, v.keyVersionId));
      }),
      { numRuns: 300 },
    );
  });

  it('given any ring, when the retention timers are derived, then each version not retired with a known limit has one, at that limit', () => {
    fc.assert(
      fc.property(ring, (state) => {
        const expected = state.destroyed
          ? []
          : state.versions.flatMap((v) => {
              const until = v.retiredAt ? null : reference(state, v.keyVersionId);
              return until ? [{ keyVersionId: v.keyVersionId, retainUntil: until }] : [];
            });
        expect(retentionTimers(state)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('given an unknown version, when asked for, then there is no answer for it', () => {
    const state: KeyRingState = { ...initialKeyRingState, exists: true, versions: [{ keyVersionId: 'kv-0', createdAt: iso(0), source: 'onboarding', retiredAt: null, enabledUntil: null, destroyAt: null, destroyedAt: null }] };
    expect(retainUntilOfVersions(state, new Set(['kv-9'])).size).toBe(0);
    expect(retainUntil(state, 'kv-9')).toBeNull();
  });
});
