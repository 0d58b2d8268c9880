import type { FleetFact } from '../fleet/fleet-facts.js';
import { versionsNeeded } from './backup-needs.js';
import { at, DAY, promises, Scenario, tenant } from './oracle-scenario.fixture.js';

const T0 = '2027-03-01T09:00:00.000Z';
const day = (n: number, plus = 0) => at(T0, n * DAY + plus);

/** v0 protects db-1 from T0 to day 30, v1 from then on; the point-in-time window is 7 days (v0 retirable at day 37). */
function superseded(...facts: FleetFact[]): Scenario {
  const s = new Scenario().fact({ at: T0, kind: 'onboard', tenant: tenant() });
  for (const f of facts) s.fact(f);
  return s.opened('acme', T0, 'v0', ['db-1']).rotated('acme', 'v1', 'v0', day(30), ['db-1']);
}

/** v0 retired at `when`: disabled in the vault then, and destroyed at `destroyedAt` when given (its grace is 7 days). */
const retired = (s: Scenario, when: string, destroyedAt?: string) =>
  s
    .keys('acme', 'KeyVersionRetired', { keyVersionId: 'v0', retainUntil: when }, when)
    .vault('acme', [
      destroyedAt === undefined
        ? { id: 'v0', createdAt: T0, state: 'disabled', disabledAt: when }
        : { id: 'v0', createdAt: T0, state: 'destroyed', disabledAt: when, unusableAt: destroyedAt },
      { id: 'v1', createdAt: day(30) },
    ]);

/** A backup of db-1 covering days 9..10, kept until `expires`: it needs v0. */
const backup = (expires: string): FleetFact => ({
  at: day(10),
  kind: 'backup',
  tenantId: 'acme',
  backupId: 'b-1',
  databaseId: 'db-1',
  schedule: 'weekly-full',
  coveredFrom: day(9),
  takenAt: day(10),
  expiresAt: expires,
});

describe('P3: a superseded version is retired no earlier than its last need, and not much later', () => {
  it('given a retirement at last use + the window, then nothing is broken and the margin is 0', () => {
    const s = retired(superseded(), day(37));
    expect(s.checkAt(day(38))).toEqual([]);
    expect(s.theOracle.margins().retirementMs).toBe(0);
  });

  it('given a retired version destroyed in the vault when its 7-day grace ends, then nothing is broken', () => {
    expect(retired(superseded(), day(37), day(44)).checkAt(day(44, 60_000))).toEqual([]);
  });

  it('given a retired version destroyed before its grace ends, then P3 is broken (break-glass could still need it)', () => {
    const found = retired(superseded(), day(37), day(40)).checkAt(day(41));
    expect(promises(found)).toEqual(['acme P3']);
    expect(found[0].expected).toContain(`kept disabled in the vault until ${day(44)}`);
    expect(found[0].actual).toContain(`destroyed in the vault ${day(40)}`);
  });

  it('given a retired version still disabled a slack after its grace, then P3 is broken; within the slack, not yet', () => {
    expect(retired(superseded(), day(37)).checkAt(day(45))).toEqual([]);
    const found = retired(superseded(), day(37)).checkAt(day(47));
    expect(promises(found)).toEqual(['acme P3']);
    expect(found[0].expected).toContain('destroyed in the vault by');
    expect(found[0].actual).toContain('still disabled');
  });

  it('given a retirement a day early, then P3 is broken (in the log and in the vault)', () => {
    const found = retired(superseded(), day(36)).checkAt(day(38));
    expect(promises(found)).toEqual(['acme P3', 'acme P3']);
    expect(found[0].expected).toContain(`no earlier than ${day(37)}`);
  });

  it('given a backup that needs the version until day 60, then retiring at day 37 is early', () => {
    const found = retired(superseded(backup(day(60))), day(37)).checkAt(day(38));
    expect(promises(found)).toContain('acme P3');
    expect(found[0].expected).toContain('backup b-1');
  });

  it('given a platform-key tenant, then its backups hold no key version of its own: retiring at day 37 is on time', () => {
    const s = new Scenario().fact({ at: T0, kind: 'onboard', tenant: tenant({ backupKeyMode: 'platform' }) }).fact(backup(day(60)));
    s.opened('acme', T0, 'v0', ['db-1']).rotated('acme', 'v1', 'v0', day(30), ['db-1']);
    s.keys('acme', 'BackupRecorded', { backupId: 'b-1', databaseId: 'db-1', protection: 'platform-key', keyVersionIds: [], unrestorable: null }, day(10));
    expect(retired(s, day(37)).checkAt(day(38))).toEqual([]);
  });

  it('given that backup deleted early at day 40, then the version may go at its deletion — even a retirement of the same instant', () => {
    const s = retired(superseded(backup(day(60)), { at: day(40), kind: 'backup-deleted', tenantId: 'acme', backupId: 'b-1' }), day(40));
    expect(s.checkAt(day(41))).toEqual([]);
  });

  it('given the backup kept longer by a retention change, then retiring at its first expiry is early', () => {
    const s = retired(superseded(backup(day(60)), { at: day(50), kind: 'backup-retention-changed', tenantId: 'acme', backupId: 'b-1', expiresAt: day(90) }), day(60));
    expect(promises(s.checkAt(day(61)))).toContain('acme P3');
  });

  it('given no retirement, then P3 is broken once the retirement slack (a day and a step) has passed', () => {
    const s = superseded();
    expect(s.checkAt(day(39))).toEqual([]);
    const found = s.checkAt(day(39, 1));
    expect(promises(found)).toEqual(['acme P3']);
    expect(found[0].actual).toContain('not retired');
  });

  it('given the window shortened later, then the version is retirable from the change, not from before it', () => {
    const s = new Scenario()
      .fact({ at: T0, kind: 'onboard', tenant: tenant({ pitrRetentionDays: 35 }) })
      .fact({ at: day(40), kind: 'pitr-retention-changed', tenantId: 'acme', pitrRetentionDays: 1 })
      .opened('acme', T0, 'v0', ['db-1'])
      .rotated('acme', 'v1', 'v0', day(30), ['db-1']);
    expect(s.checkAt(day(42))).toEqual([]);
    expect(promises(s.checkAt(day(42, 1)))).toEqual(['acme P3']);
  });

  it('given the vault disabling the version before Lethe retired it, then P3 is broken', () => {
    const s = superseded().vault('acme', [
      { id: 'v0', createdAt: T0, state: 'disabled', disabledAt: day(32) },
      { id: 'v1', createdAt: day(30) },
    ]);
    const found = s.checkAt(day(33));
    expect(promises(found)).toEqual(['acme P3']);
    expect(found[0].actual).toContain('never retired');
  });

  it('given a retired version still enabled in the vault past the slack, then P3 is broken', () => {
    const s = superseded()
      .keys('acme', 'KeyVersionRetired', { keyVersionId: 'v0', retainUntil: day(37) }, day(37))
      .vault('acme', [
        { id: 'v0', createdAt: T0 },
        { id: 'v1', createdAt: day(30) },
      ]);
    expect(s.checkAt(day(39))).toEqual([]);
    expect(promises(s.checkAt(day(39, 1)))).toEqual(['acme P3']);
  });

  describe('a backup registered after a version it needs was retired', () => {
    const late: FleetFact = {
      at: day(38),
      kind: 'backup',
      tenantId: 'acme',
      backupId: 'b-2',
      databaseId: 'db-1',
      schedule: 'pitr',
      coveredFrom: day(29),
      takenAt: day(31),
      expiresAt: day(45),
    };

    it('given it is recorded flagged not restorable, then nothing is broken', () => {
      const s = retired(superseded(late), day(37));
      s.keys('acme', 'BackupRecorded', { backupId: 'b-2', databaseId: 'db-1', protection: 'customer-key', keyVersionIds: ['v0', 'v1'], unrestorable: { reason: 'key-version-retired', keyVersionIds: ['v0'] } }, day(38));
      expect(s.checkAt(day(39))).toEqual([]);
    });

    it('given it is recorded without the flag, then P3 is broken', () => {
      const s = retired(superseded(late), day(37));
      s.keys('acme', 'BackupRecorded', { backupId: 'b-2', databaseId: 'db-1', protection: 'customer-key', keyVersionIds: ['v0', 'v1'], unrestorable: null }, day(38));
      const found = s.checkAt(day(39));
      expect(promises(found)).toEqual(['acme P3']);
      expect(found[0].actual).toBe('recorded without the flag');
    });

    it('given it is recorded as needing fewer versions than protected its database, then P3 is broken', () => {
      const s = retired(superseded(late), day(37));
      s.keys('acme', 'BackupRecorded', { backupId: 'b-2', databaseId: 'db-1', protection: 'customer-key', keyVersionIds: ['v1'], unrestorable: null }, day(38));
      expect(promises(s.checkAt(day(39)))).toEqual(['acme P3', 'acme P3']);
    });
  });

  it('versionsNeeded: a version is needed when its [from, to) meets [coveredFrom, takenAt]; the shared instant is read both ways', () => {
    const intervals = [
      { keyVersionId: 'v0', from: 0, to: 100 },
      { keyVersionId: 'v1', from: 100, to: 200 },
      { keyVersionId: 'v2', from: 200, to: null },
    ];
    expect(versionsNeeded(intervals, 50, 150)).toEqual({ strict: new Set(['v0', 'v1']), loose: new Set(['v0', 'v1']) });
    expect(versionsNeeded(intervals, 100, 150)).toEqual({ strict: new Set(['v1']), loose: new Set(['v0', 'v1']) });
    expect(versionsNeeded(intervals, 250, 300)).toEqual({ strict: new Set(['v2']), loose: new Set(['v2']) });
  });
});
